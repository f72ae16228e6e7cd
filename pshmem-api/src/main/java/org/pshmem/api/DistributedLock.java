package org.pshmem.api;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * A mutual-exclusion lock over the ranks of a communicator (upstream pshmem's {@code MPILock}), fair: the
 * lock is granted in the order it was requested. The waiting list belongs to an owner rank (default 0):
 * each request takes the next number, the holder is the waiting rank with the smallest number, and a release
 * hands the lock to the next one. When every rank is on one node the list lives in node memory and a hand-off
 * sends no message; otherwise the owner's service thread keeps it (see {@code OwnedState}).
 *
 * <pre>{@code
 * try (DistributedLock lock = DistributedLock.create(comm)) {   // collective
 *     try (DistributedLock.Held held = lock.hold()) {          // lock(), unlock() on exit
 *         // one rank at a time
 *     }
 * }
 * }</pre>
 *
 * <p>Only {@code create} and {@code close} are collective. {@code lock()}, {@code tryLock()}, {@code hold()} and
 * {@code unlock()} are called by each rank on its own, whenever it likes; they talk only to the owner's state.
 * {@code isHeldByThisRank()} is local.
 *
 * <p>{@code lock()} when this rank already holds the lock returns at once; {@code unlock()} when it does not
 * does nothing. One thread of a rank uses a lock at a time. If waiting fails (a rank failed), this rank's
 * request is withdrawn so the others are not left waiting for it. With the system logger {@code org.pshmem.lock}
 * at level {@code DEBUG}, every step is logged.
 */
public final class DistributedLock implements AutoCloseable
{
    private static final System.Logger TRACE = System.getLogger("org.pshmem.lock");
    private static final int REQUEST = 1;
    private static final int RELEASE = 2;
    private static final int CANCEL = 3;
    private static final int COUNTER = 0;
    private static final int HOLDER = 1;
    private static final int ORDER = 2;

    private final Communicator comm;
    private final OwnedState state;
    private final int rank;
    private boolean held;
    private boolean closed;

    /** Releases the lock when closed; made by {@link #hold()}. */
    public final class Held implements AutoCloseable
    {
        private Held()
        {
        }

        /**
         * Releases the lock.
         */
        @Override
        public void close()
        {
            unlock();
        }
    }

    private DistributedLock(final Communicator comm, final int owner)
    {
        this.comm = comm;
        this.rank = comm.rank();
        this.state = OwnedState.create(comm, owner, ORDER + comm.size(), HOLDER, DistributedLock::apply, "lock");
    }

    /**
     * Collective: a lock over {@code comm} whose waiting list belongs to rank 0.
     *
     * @param comm the ranks that share the lock.
     * @return the lock.
     */
    public static DistributedLock create(final Communicator comm)
    {
        return create(comm, 0);
    }

    /**
     * Collective: a lock over {@code comm} whose waiting list belongs to {@code owner}.
     *
     * @param comm  the ranks that share the lock.
     * @param owner the rank that owns the waiting list, the same on every rank.
     * @return the lock.
     * @throws IllegalArgumentException on every rank when {@code owner} is out of range or differs between ranks.
     */
    public static DistributedLock create(final Communicator comm, final int owner)
    {
        checkOwner(comm, owner, "DistributedLock.create()");
        return new DistributedLock(comm, owner);
    }

    static void checkOwner(final Communicator comm, final int owner, final String op)
    {
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

    /** The waiting list, run with exclusive access: slots [counter, holder + 1, order of each rank...]. */
    private static long apply(final int op, final OwnedState.Slots slots, final long a, final long b, final int caller)
    {
        final int ranks = (int)a;
        switch (op)
        {
            case REQUEST:
                if (slots.get(ORDER + caller) == 0)
                {
                    final long number = slots.get(COUNTER) + 1;
                    slots.set(COUNTER, number);
                    slots.set(ORDER + caller, number);
                    if (slots.get(HOLDER) == 0)
                    {
                        slots.set(HOLDER, caller + 1L);
                    }
                }
                return slots.get(HOLDER) == caller + 1L ? 1 : 0;
            case RELEASE:
                if (slots.get(HOLDER) != caller + 1L)
                {
                    return -2 - slots.get(HOLDER); // not the holder: the caller reports who is
                }
                slots.set(ORDER + caller, 0);
                int next = -1;
                for (int r = 0; r < ranks; r++)
                {
                    final long number = slots.get(ORDER + r);
                    if (number != 0 && (next < 0 || number < slots.get(ORDER + next)))
                    {
                        next = r;
                    }
                }
                slots.set(HOLDER, next + 1L);
                return next;
            default: // CANCEL
                if (slots.get(HOLDER) == caller + 1L)
                {
                    return 1;
                }
                slots.set(ORDER + caller, 0);
                return 0;
        }
    }

    /**
     * Waits until this rank holds the lock; returns at once if it already does.
     */
    public void lock()
    {
        checkOpen("lock()");
        if (held)
        {
            return;
        }
        trace("requests the lock");
        if (state.execute(REQUEST, comm.size(), 0) == 0)
        {
            trace("waits for the lock");
            awaitOrWithdraw(0);
        }
        held = true;
        trace("holds the lock");
    }

    /** Waits for the hand-over; if the wait fails, takes this rank off the list so the lock is not jammed. */
    private boolean awaitOrWithdraw(final long deadlineNanos)
    {
        try
        {
            return state.awaitWatched(rank, deadlineNanos);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                if (state.execute(CANCEL, comm.size(), 0) == 1)
                {
                    state.execute(RELEASE, comm.size(), 0);
                }
            }
            catch (final RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    /**
     * Waits at most {@code timeout} for the lock.
     *
     * @param timeout longest wait.
     * @param unit    its unit.
     * @return true when this rank holds the lock.
     */
    public boolean tryLock(final long timeout, final TimeUnit unit)
    {
        checkOpen("tryLock()");
        if (held)
        {
            return true;
        }
        trace("requests the lock, waiting at most " + timeout + " " + unit);
        if (state.execute(REQUEST, comm.size(), 0) == 1 ||
            awaitOrWithdraw(System.nanoTime() + Math.max(1, unit.toNanos(timeout))))
        {
            held = true;
            trace("holds the lock");
            return true;
        }
        if (state.execute(CANCEL, comm.size(), 0) == 1)
        {
            // Granted while cancelling: take the notice that is on its way, and keep the lock.
            state.awaitWatched(rank, 0);
            held = true;
            trace("holds the lock (granted while giving up)");
            return true;
        }
        trace("gave up waiting for the lock");
        return false;
    }

    /**
     * Locks and returns a handle that unlocks when closed, for try-with-resources.
     *
     * @return the handle.
     */
    public Held hold()
    {
        lock();
        return new Held();
    }

    /**
     * Releases the lock and hands it to the next rank in order of request; does nothing if this rank does not
     * hold it.
     *
     * @throws PshmemException when the waiting list says another rank holds it (a broken invariant).
     */
    public void unlock()
    {
        checkOpen("unlock()");
        if (!held)
        {
            return;
        }
        final long next = state.execute(RELEASE, comm.size(), 0);
        held = false;
        if (next < -1)
        {
            final long holder = -2 - next - 1;
            throw new PshmemException("unlock() on rank " + rank + ": the waiting list says " +
                (holder < 0 ? "nobody" : "rank " + holder) + " holds the lock, not this rank");
        }
        trace(next >= 0 ? "released the lock to rank " + next : "released the lock; nobody waits");
    }

    /**
     * @return true when this rank holds the lock.
     */
    public boolean isHeldByThisRank()
    {
        return held;
    }

    /**
     * Collective: releases the lock if held, then frees the lock's resources on every rank; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            try
            {
                unlock();
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
