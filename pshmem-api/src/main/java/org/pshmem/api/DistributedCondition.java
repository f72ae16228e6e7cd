package org.pshmem.api;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A condition bound to a {@link DistributedLock}, made by {@link DistributedLock#newCondition()} (mpi4py's
 * {@code Condition}, {@link java.util.concurrent.locks.Condition} across ranks). A rank that holds the lock
 * calls {@link #await()}: it releases the lock, waits until another rank calls {@link #signal()} or
 * {@link #signalAll()}, and takes the lock again before it returns. Waiting ranks are signalled in the order
 * they started to wait.
 *
 * <pre>{@code
 * try (DistributedLock lock = DistributedLock.create(comm);
 *      DistributedCondition ready = lock.newCondition()) {      // both collective
 *     lock.lock();
 *     try {
 *         while (!isReady()) ready.await();
 *     } finally {
 *         lock.unlock();
 *     }
 * }
 * }</pre>
 *
 * <p>Only {@link DistributedLock#newCondition()} and {@link #close()} are collective; {@code await},
 * {@code signal} and {@code signalAll} are called by each rank on its own, holding the lock, and throw
 * {@link IllegalMonitorStateException} otherwise. As with any condition, a waiting rank must test its
 * predicate in a loop: a signal may come before the state it announces is visible to the test.
 *
 * <p>Interrupts: {@link #await()} and {@link #await(long, TimeUnit)} throw {@link InterruptedException} when
 * interrupted before they were signalled, after taking the lock again; a rank interrupted after it was
 * signalled returns normally with its interrupt flag set, so no signal is lost.
 * {@link #awaitUninterruptibly()} keeps waiting, parked. When another rank fails while this one waits,
 * {@code await} throws {@link RankFailedException} without taking the lock again.
 *
 * <p>Memory consistency effects: as for the lock. Actions on a rank before {@code signal()} and before it
 * releases the lock happen-before actions of the signalled rank after its {@code await} returns.
 */
public final class DistributedCondition implements AutoCloseable
{
    /**
     * The condition's state, slots of an {@link OwnedState} ({@link OwnedStateLayout} in node memory):
     * <pre>
     *   COUNTER              the number of the last wait
     *   ORDER + r            rank r's wait number while it waits, else 0
     *   ORDER + ranks + r    rank r's grant slot
     * </pre>
     * "PSHMCOND" in ASCII.
     */
    static final LayoutHeader LAYOUT = new LayoutHeader(0x5053_484D_434F_4E44L, 1, "the state of a condition");
    private static final int COUNTER = 0;
    private static final int ORDER = 1;

    /** The operations on the waiting set, run with exclusive access on the owner's state. */
    private enum Op
    {
        /** Join the waiting set (clears the caller's grant). */
        WAIT,
        /** Grant the rank that waits longest; returns it, or -1. */
        SIGNAL,
        /** Grant every waiting rank; returns how many. */
        SIGNAL_ALL,
        /** Leave the waiting set; returns 1 when the caller was signalled before. */
        CANCEL
    }

    private final DistributedLock lock;
    private final OwnedState<Op> state;
    private final int rank;
    private final int ranks;
    private boolean closed;

    DistributedCondition(final DistributedLock lock, final Communicator comm, final int owner)
    {
        this.lock = lock;
        this.rank = comm.rank();
        this.ranks = comm.size();
        this.state = OwnedState.create(comm, owner, ORDER + 2 * ranks, ORDER + ranks, Op.class, this::apply,
            LAYOUT, "condition");
    }

    /** Slots: [counter, order of each waiting rank..., grant of each rank...]. */
    private long apply(final Op op, final OwnedState.Slots slots, final long a, final long b, final int caller)
    {
        final int grants = ORDER + ranks;
        switch (op)
        {
            case WAIT:
                final long number = slots.get(COUNTER) + 1;
                slots.set(COUNTER, number);
                slots.set(ORDER + caller, number);
                slots.set(grants + caller, 0);
                return 0;
            case SIGNAL:
                int first = -1;
                for (int r = 0; r < ranks; r++)
                {
                    final long order = slots.get(ORDER + r);
                    if (order != 0 && (first < 0 || order < slots.get(ORDER + first)))
                    {
                        first = r;
                    }
                }
                if (first >= 0)
                {
                    slots.set(ORDER + first, 0);
                    slots.set(grants + first, 1);
                }
                return first;
            case SIGNAL_ALL:
                int woken = 0;
                for (int r = 0; r < ranks; r++)
                {
                    if (slots.get(ORDER + r) != 0)
                    {
                        slots.set(ORDER + r, 0);
                        slots.set(grants + r, 1);
                        woken++;
                    }
                }
                return woken;
            default: // CANCEL
                if (slots.get(ORDER + caller) == 0)
                {
                    return slots.get(grants + caller) != 0 ? 1 : 0;
                }
                slots.set(ORDER + caller, 0);
                return 0;
        }
    }

    private long execute(final Op op)
    {
        return state.execute(op, 0, 0);
    }

    /**
     * Releases the lock, waits until signalled or interrupted, and takes the lock again (with the holds this
     * rank had) before it returns or throws.
     *
     * @throws InterruptedException         when interrupted before being signalled (the flag is cleared).
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     */
    public void await() throws InterruptedException
    {
        await("await()", 0, true);
    }

    /**
     * As {@link #await()}, giving up after {@code time}.
     *
     * @param time longest wait; zero or less means no wait.
     * @param unit its unit.
     * @return false when the time ran out before a signal, else true.
     * @throws InterruptedException         when interrupted before being signalled (the flag is cleared).
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     */
    public boolean await(final long time, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "await(): unit is null");
        return await("await()", System.nanoTime() + Math.max(1, unit.toNanos(time)), true);
    }

    /**
     * As {@link #await()}, but an interrupt does not end the wait: the method returns once signalled, with the
     * interrupt flag set.
     *
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     */
    public void awaitUninterruptibly()
    {
        try
        {
            await("awaitUninterruptibly()", 0, false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError("an uninterruptible wait was interrupted", ex);
        }
    }

    private boolean await(final String op, final long deadlineNanos, final boolean interruptible)
        throws InterruptedException
    {
        checkOpen(op);
        lock.checkHeld(op);
        if (interruptible && Thread.interrupted())
        {
            throw new InterruptedException(op + " on rank " + rank + ": interrupted before waiting");
        }
        execute(Op.WAIT);
        final int holds = lock.releaseFully(op);
        boolean signalled = false;
        boolean interrupted = false;
        try
        {
            signalled = interruptible ? state.awaitGrantInterruptibly(rank, deadlineNanos) :
                state.awaitGrant(rank, deadlineNanos);
        }
        catch (final InterruptedException ex)
        {
            interrupted = true;
        }
        catch (final RuntimeException ex)
        {
            try
            {
                execute(Op.CANCEL);
            }
            catch (final RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        if (!signalled && execute(Op.CANCEL) == 1)
        {
            state.awaitGrant(rank, 0); // signalled meanwhile: take the notice, so the signal is not lost
            signalled = true;
        }
        lock.reacquire(holds);
        if (interrupted)
        {
            if (!signalled)
            {
                throw new InterruptedException(op + " on rank " + rank + ": interrupted before a signal");
            }
            Thread.currentThread().interrupt();
        }
        return signalled;
    }

    /**
     * Wakes the rank that has waited longest, if any.
     *
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     */
    public void signal()
    {
        checkOpen("signal()");
        lock.checkHeld("signal()");
        execute(Op.SIGNAL);
    }

    /**
     * Wakes every waiting rank; each takes the lock in turn.
     *
     * @throws IllegalMonitorStateException when this rank does not hold the lock.
     */
    public void signalAll()
    {
        checkOpen("signalAll()");
        lock.checkHeld("signalAll()");
        execute(Op.SIGNAL_ALL);
    }

    /**
     * Collective over the lock's communicator: frees the condition's resources; idempotent. Closing the lock
     * closes its conditions.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            lock.forget(this);
            state.close();
        }
    }

    private void checkOpen(final String op)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + rank + ": the condition is closed");
        }
    }
}
