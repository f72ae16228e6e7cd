package org.pshmem.api;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock over the ranks of a communicator (upstream pshmem's {@code MPILock}, mpi4py's
 * {@code Mutex} and, with {@link #createReentrant(Communicator)}, its {@code RMutex}), fair: the lock is
 * granted in the order it was requested. The waiting list belongs to an owner rank (default 0): each request
 * takes the next number and a release hands the lock to the waiting rank with the smallest number. When every
 * rank is on one node the list lives in node memory and a hand-off sends no message; otherwise the owner's
 * service thread keeps it (see {@code OwnedState}).
 *
 * <pre>{@code
 * try (DistributedLock lock = DistributedLock.create(comm)) {   // collective
 *     lock.lock();
 *     try {
 *         // one rank at a time
 *     } finally {
 *         lock.unlock();
 *     }
 * }
 * }</pre>
 *
 * <p>The holder is a rank, not a thread; one thread of a rank uses a lock at a time. Semantics follow
 * {@link java.util.concurrent.locks.ReentrantLock}: {@link #unlock()} by a rank that does not hold the lock
 * throws {@link IllegalMonitorStateException}. A lock from {@link #create(Communicator)} is not reentrant:
 * asking for it again while holding it throws {@link IllegalMonitorStateException} (it would wait for itself
 * forever). A lock from {@link #createReentrant(Communicator)} counts holds ({@link #getHoldCount()}) and is
 * released when {@link #unlock()} has been called as often as it was acquired.
 *
 * <p>Collective: {@code create}, {@code createReentrant}, {@link #newCondition()} and {@link #close()}.
 * Every other method is called by each rank on its own, whenever it likes; it talks only to the owner's state.
 *
 * <p>Interrupts: {@link #lock()} and {@link #hold()} cannot be interrupted: an interrupted rank keeps waiting,
 * parked, and returns holding the lock with its interrupt flag set. {@link #lockInterruptibly()} and
 * {@link #tryLock(long, TimeUnit)} throw {@link InterruptedException}; the request is then withdrawn and
 * every other rank carries on as if it had never been made. When a rank fails while this one waits, the wait
 * ends with {@link RankFailedException} and the request is withdrawn too.
 *
 * <p>Memory consistency effects: actions on a rank before it releases the lock happen-before actions on the
 * rank that acquires it next, after its acquiring method returns, for memory both ranks see (the node memory
 * of a {@link SharedArray} on their node; a file system gives its own guarantees). With the system logger
 * {@code org.pshmem.lock} at level {@code DEBUG}, every step is logged.
 */
public final class DistributedLock implements AutoCloseable
{
    private static final System.Logger TRACE = System.getLogger("org.pshmem.lock");
    /**
     * The lock's state, slots of an {@link OwnedState} ({@link OwnedStateLayout} in node memory):
     * <pre>
     *   COUNTER              the number of the last request
     *   HOLDER               0 when free, else 1 + the holding rank
     *   ORDER + r            rank r's request number while it waits, else 0
     *   ORDER + ranks + r    rank r's grant slot
     * </pre>
     * "PSHMLOCK" in ASCII.
     */
    static final LayoutHeader LAYOUT = new LayoutHeader(0x5053_484D_4C4F_434BL, 1, "the state of a lock");
    private static final int COUNTER = 0;
    private static final int HOLDER = 1;
    private static final int ORDER = 2;

    /** The operations on the waiting list, run with exclusive access on the owner's state. */
    private enum Op
    {
        /** Queue the caller; returns 1 when it holds the lock now. */
        REQUEST,
        /** Take the lock if nobody holds it; never queues; returns 1 when taken. */
        TRY,
        /** Hand the lock on; returns a {@link Released}, encoded. */
        RELEASE,
        /** Withdraw a pending request; returns 1 when the lock was granted before it (then the caller holds it). */
        CANCEL
    }

    /**
     * What {@link Op#RELEASE} did, which travels back as one long: the rank granted the lock next ({@link #NOBODY}
     * when none waits), or, when the caller did not hold the lock, the rank that does (or {@link #NOBODY}).
     */
    private record Released(boolean byHolder, int rank)
    {
        static final int NOBODY = -1;

        /** A rank granted next, or -1; below that, a refusal: -2 for nobody holding the lock, -3 - r for rank r. */
        long encode()
        {
            return byHolder ? rank : -3L - rank;
        }

        static Released decode(final long code)
        {
            return code >= NOBODY ? new Released(true, (int)code) : new Released(false, (int)(-3L - code));
        }
    }

    private final Communicator comm;
    private final OwnedState<Op> state;
    private final int rank;
    private final int ranks;
    private final boolean reentrant;
    private final List<DistributedCondition> conditions = new ArrayList<>();
    private int holds;
    private boolean closed;

    /** Releases the lock when closed; made by {@link #hold()}. */
    public final class Held implements AutoCloseable
    {
        private Held()
        {
        }

        /**
         * Releases one hold of the lock, as {@link DistributedLock#unlock()}.
         */
        @Override
        public void close()
        {
            unlock();
        }
    }

    private DistributedLock(final Communicator comm, final int owner, final boolean reentrant)
    {
        this.comm = comm;
        this.rank = comm.rank();
        this.ranks = comm.size();
        this.reentrant = reentrant;
        this.state = OwnedState.create(comm, owner, ORDER + 2 * ranks, ORDER + ranks, Op.class, this::apply,
            LAYOUT, "lock");
    }

    /**
     * Collective: a lock over {@code comm}, not reentrant, whose waiting list belongs to rank 0.
     *
     * @param comm the ranks that share the lock.
     * @return the lock.
     */
    public static DistributedLock create(final Communicator comm)
    {
        return create(comm, 0);
    }

    /**
     * Collective: a lock over {@code comm}, not reentrant, whose waiting list belongs to {@code owner}.
     *
     * @param comm  the ranks that share the lock.
     * @param owner the rank that owns the waiting list, the same on every rank.
     * @return the lock.
     * @throws IllegalArgumentException on every rank when {@code owner} is out of range or differs between ranks.
     */
    public static DistributedLock create(final Communicator comm, final int owner)
    {
        Objects.requireNonNull(comm, "DistributedLock.create(): comm is null");
        checkOwner(comm, owner, "DistributedLock.create()");
        return new DistributedLock(comm, owner, false);
    }

    /**
     * Collective: a reentrant lock over {@code comm} (mpi4py's {@code RMutex}) whose waiting list belongs to
     * rank 0.
     *
     * @param comm the ranks that share the lock.
     * @return the lock.
     */
    public static DistributedLock createReentrant(final Communicator comm)
    {
        return createReentrant(comm, 0);
    }

    /**
     * Collective: a reentrant lock over {@code comm} whose waiting list belongs to {@code owner}.
     *
     * @param comm  the ranks that share the lock.
     * @param owner the rank that owns the waiting list, the same on every rank.
     * @return the lock.
     * @throws IllegalArgumentException on every rank when {@code owner} is out of range or differs between ranks.
     */
    public static DistributedLock createReentrant(final Communicator comm, final int owner)
    {
        Objects.requireNonNull(comm, "DistributedLock.createReentrant(): comm is null");
        checkOwner(comm, owner, "DistributedLock.createReentrant()");
        return new DistributedLock(comm, owner, true);
    }

    static void checkOwner(final Communicator comm, final int owner, final String op)
    {
        comm.objectBarrier(); // first, so a user's allGather(long) at this step fails instead of matching
        final long[] owners = comm.allGather((long)owner);
        for (int r = 0; r < owners.length; r++)
        {
            if (owners[r] != owners[0])
            {
                throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": ranks disagree on the owner: " +
                    "rank 0 passed " + owners[0] + ", rank " + r + " passed " + owners[r]);
            }
        }
        if (owner < 0 || owner >= comm.size())
        {
            throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": owner " + owner +
                " is out of range for a communicator of " + comm.size() + " ranks");
        }
    }

    /**
     * The waiting list: slots [counter, holder + 1, order of each rank..., grant of each rank...]; a rank's
     * grant slot is 1 while it holds the lock.
     */
    private long apply(final Op op, final OwnedState.Slots slots, final long a, final long b, final int caller)
    {
        final int grants = ORDER + ranks;
        switch (op)
        {
            case REQUEST:
                if (slots.get(ORDER + caller) == 0 && slots.get(grants + caller) == 0)
                {
                    final long number = slots.get(COUNTER) + 1;
                    slots.set(COUNTER, number);
                    slots.set(ORDER + caller, number);
                    if (slots.get(HOLDER) == 0)
                    {
                        grant(slots, caller);
                    }
                }
                return slots.get(grants + caller);
            case TRY:
                if (slots.get(HOLDER) != 0)
                {
                    return 0;
                }
                grant(slots, caller);
                return 1;
            case RELEASE:
                if (slots.get(HOLDER) != caller + 1L)
                {
                    // Not the holder: the caller reports who is (the slot holds holder + 1, 0 for nobody).
                    return new Released(false, (int)slots.get(HOLDER) - 1).encode();
                }
                slots.set(grants + caller, 0);
                slots.set(HOLDER, 0);
                int next = -1;
                for (int r = 0; r < ranks; r++)
                {
                    final long number = slots.get(ORDER + r);
                    if (number != 0 && (next < 0 || number < slots.get(ORDER + next)))
                    {
                        next = r;
                    }
                }
                if (next >= 0)
                {
                    grant(slots, next);
                }
                return new Released(true, next).encode();
            default: // CANCEL
                if (slots.get(grants + caller) != 0)
                {
                    return 1;
                }
                slots.set(ORDER + caller, 0);
                return 0;
        }
    }

    private void grant(final OwnedState.Slots slots, final int to)
    {
        slots.set(ORDER + to, 0);
        slots.set(HOLDER, to + 1L);
        slots.set(ORDER + ranks + to, 1);
    }

    private long execute(final Op op)
    {
        return state.execute(op, 0, 0);
    }

    /**
     * Waits, uninterruptibly, until this rank holds the lock (as {@link java.util.concurrent.locks.Lock#lock()}).
     * An interrupt while waiting is kept: the method returns holding the lock with the interrupt flag set.
     *
     * @throws IllegalMonitorStateException when this rank already holds a lock that is not reentrant.
     * @throws RankFailedException          when another rank failed while this one waited (the request is
     *                                      withdrawn).
     */
    public void lock()
    {
        if (reentered("lock()"))
        {
            return;
        }
        trace("requests the lock");
        if (execute(Op.REQUEST) == 0)
        {
            trace("waits for the lock");
            try
            {
                state.awaitGrant(rank, 0);
            }
            catch (final RuntimeException ex)
            {
                withdraw(ex);
                throw ex;
            }
        }
        acquired();
    }

    /**
     * Waits until this rank holds the lock or its thread is interrupted.
     *
     * @throws InterruptedException         when the thread is interrupted before or while waiting; the request
     *                                      is withdrawn and the lock is not held (the flag is cleared).
     * @throws IllegalMonitorStateException when this rank already holds a lock that is not reentrant.
     * @throws RankFailedException          when another rank failed while this one waited.
     */
    public void lockInterruptibly() throws InterruptedException
    {
        if (Thread.interrupted())
        {
            checkOpen("lockInterruptibly()");
            throw new InterruptedException("lockInterruptibly() on rank " + rank + ": interrupted before waiting");
        }
        if (reentered("lockInterruptibly()"))
        {
            return;
        }
        trace("requests the lock, interruptibly");
        if (execute(Op.REQUEST) == 0 && !awaitInterruptibly(0))
        {
            throw new AssertionError("a wait without deadline ended without the lock");
        }
        acquired();
    }

    /**
     * Takes the lock only if no rank holds it now; never waits for another rank's turn. Like
     * {@link java.util.concurrent.locks.ReentrantLock#tryLock()} it does not honour the order of waiting ranks.
     *
     * @return true when this rank holds the lock.
     * @throws IllegalMonitorStateException when this rank already holds a lock that is not reentrant.
     */
    public boolean tryLock()
    {
        if (reentered("tryLock()"))
        {
            return true;
        }
        if (execute(Op.TRY) == 1)
        {
            acquired();
            return true;
        }
        return false;
    }

    /**
     * Waits at most {@code timeout} for the lock, in turn with the other waiting ranks.
     *
     * @param timeout longest wait; zero or less means no wait.
     * @param unit    its unit.
     * @return true when this rank holds the lock, false when the time ran out (the request is withdrawn).
     * @throws InterruptedException         when the thread is interrupted before or while waiting; the request
     *                                      is withdrawn and the lock is not held.
     * @throws IllegalMonitorStateException when this rank already holds a lock that is not reentrant.
     */
    public boolean tryLock(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "tryLock(): unit is null");
        if (Thread.interrupted())
        {
            checkOpen("tryLock()");
            throw new InterruptedException("tryLock() on rank " + rank + ": interrupted before waiting");
        }
        if (reentered("tryLock()"))
        {
            return true;
        }
        trace("requests the lock, waiting at most " + timeout + " " + unit);
        if (execute(Op.REQUEST) == 1 || awaitInterruptibly(System.nanoTime() + Math.max(1, unit.toNanos(timeout))))
        {
            acquired();
            return true;
        }
        trace("gave up waiting for the lock");
        return false;
    }

    /**
     * Waits for the hand-over; at the deadline or on an interrupt withdraws the request (keeping a lock granted
     * meanwhile only at the deadline).
     *
     * @return true when the lock is held, false at the deadline.
     */
    private boolean awaitInterruptibly(final long deadlineNanos) throws InterruptedException
    {
        trace("waits for the lock");
        try
        {
            if (state.awaitGrantInterruptibly(rank, deadlineNanos))
            {
                return true;
            }
        }
        catch (final InterruptedException ex)
        {
            if (execute(Op.CANCEL) == 1)
            {
                state.awaitGrant(rank, 0); // the notice of the grant is on its way; take it, then give the lock on
                execute(Op.RELEASE);
            }
            trace("interrupted; request withdrawn");
            final InterruptedException named = new InterruptedException("rank " + rank +
                " was interrupted while waiting for the lock; its request is withdrawn");
            named.initCause(ex);
            throw named;
        }
        catch (final RuntimeException ex)
        {
            withdraw(ex);
            throw ex;
        }
        if (execute(Op.CANCEL) == 1)
        {
            state.awaitGrant(rank, 0); // granted while giving up: take the notice and keep the lock
            trace("holds the lock (granted while giving up)");
            return true;
        }
        return false;
    }

    /** After a failed wait: takes this rank off the list (or gives on a lock granted meanwhile). */
    private void withdraw(final RuntimeException failure)
    {
        try
        {
            if (execute(Op.CANCEL) == 1)
            {
                execute(Op.RELEASE);
            }
        }
        catch (final RuntimeException cleanup)
        {
            failure.addSuppressed(cleanup);
        }
    }

    /** Checks the lock is open; counts one more hold and returns true when this rank already holds it. */
    private boolean reentered(final String op)
    {
        checkOpen(op);
        if (holds == 0)
        {
            return false;
        }
        if (!reentrant)
        {
            throw new IllegalMonitorStateException(op + " on rank " + rank + ": this rank already holds the lock, " +
                "which is not reentrant (waiting would never end; use DistributedLock.createReentrant for a lock " +
                "that counts holds)");
        }
        if (holds == Integer.MAX_VALUE)
        {
            throw new Error(op + " on rank " + rank + ": maximum lock count exceeded");
        }
        holds++;
        return true;
    }

    private void acquired()
    {
        holds = 1;
        trace("holds the lock");
    }

    /**
     * Locks, uninterruptibly, and returns a handle that unlocks when closed, for try-with-resources.
     *
     * @return the handle.
     * @throws IllegalMonitorStateException when this rank already holds a lock that is not reentrant.
     */
    public Held hold()
    {
        lock();
        return new Held();
    }

    /**
     * Releases one hold of the lock; when none is left, hands it to the next rank in order of request.
     *
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     * @throws PshmemException              when the waiting list says another rank holds it (a broken invariant).
     */
    public void unlock()
    {
        checkOpen("unlock()");
        if (holds == 0)
        {
            throw new IllegalMonitorStateException("unlock() on rank " + rank + ": this rank does not hold the lock");
        }
        if (--holds == 0)
        {
            release("unlock()");
        }
    }

    private void release(final String op)
    {
        final Released released = Released.decode(execute(Op.RELEASE));
        if (!released.byHolder())
        {
            throw new PshmemException(op + " on rank " + rank + ": the waiting list says " +
                (released.rank() == Released.NOBODY ? "nobody" : "rank " + released.rank()) +
                " holds the lock, not this rank");
        }
        trace(released.rank() != Released.NOBODY ? "released the lock to rank " + released.rank() :
            "released the lock; nobody waits");
    }

    /**
     * Returns true when this rank holds the lock.
     *
     * @return true when this rank holds the lock.
     */
    public boolean isHeldByThisRank()
    {
        return holds > 0;
    }

    /**
     * Returns the number of holds this rank has on the lock: 0 when it does not hold it, at most 1 unless the
     * lock is reentrant.
     *
     * @return the number of holds this rank has on the lock: 0 when it does not hold it, at most 1 unless the
     * lock is reentrant.
     */
    public int getHoldCount()
    {
        return holds;
    }

    /**
     * Returns true for a lock made by {@code createReentrant}.
     *
     * @return true for a lock made by {@code createReentrant}.
     */
    public boolean isReentrant()
    {
        return reentrant;
    }

    /**
     * Collective over the lock's communicator: a condition bound to this lock (mpi4py's {@code Condition},
     * {@link java.util.concurrent.locks.Condition}). It is closed with the lock, or before by its own
     * {@link DistributedCondition#close()}.
     *
     * @return the condition.
     * @throws IllegalStateException when the lock is closed.
     */
    public DistributedCondition newCondition()
    {
        checkOpen("newCondition()");
        final DistributedCondition condition = new DistributedCondition(this, comm, state.owner);
        conditions.add(condition);
        return condition;
    }

    void forget(final DistributedCondition condition)
    {
        conditions.remove(condition);
    }

    /** For a condition's await: releases every hold and returns how many there were. */
    int releaseFully(final String op)
    {
        checkOpen(op);
        if (holds == 0)
        {
            throw new IllegalMonitorStateException(op + " on rank " + rank + ": this rank does not hold the lock");
        }
        final int released = holds;
        holds = 0;
        release(op);
        return released;
    }

    /** For a condition's await: takes the lock again, uninterruptibly, with the holds it had. */
    void reacquire(final int previousHolds)
    {
        lock();
        holds = previousHolds;
    }

    void checkHeld(final String op)
    {
        checkOpen(op);
        if (holds == 0)
        {
            throw new IllegalMonitorStateException(op + " on rank " + rank + ": this rank does not hold the lock " +
                "of the condition");
        }
    }

    int rank()
    {
        return rank;
    }

    /**
     * Collective: closes the lock's conditions, releases the lock if this rank holds it (every hold), then frees
     * the lock's resources on every rank; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            try
            {
                for (final DistributedCondition condition : new ArrayList<>(conditions))
                {
                    condition.close();
                }
                if (holds > 0)
                {
                    holds = 0;
                    release("close()");
                }
            }
            finally
            {
                closed = true;
                state.close();
            }
        }
    }

    private void checkOpen(final String op)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + rank + ": the lock is closed");
        }
    }

    private void trace(final String step)
    {
        if (TRACE.isLoggable(Level.DEBUG))
        {
            TRACE.log(Level.DEBUG, "lock: rank " + rank + " " + step);
        }
    }
}
