package org.pshmem.api;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A counting semaphore over the ranks of a communicator (mpi4py's {@code Semaphore},
 * {@link java.util.concurrent.Semaphore} across ranks), fair: waiting ranks get permits in the order they asked.
 * The permits are kept by an owner rank (rank 0), in node memory when every rank is on one node, else by the
 * owner's service thread. A bounded semaphore ({@link #createBounded(Communicator, int)}, mpi4py's
 * {@code Semaphore(bounded=True)}) refuses a release that would raise the permits above the initial number.
 *
 * <pre>{@code
 * try (DistributedSemaphore slots = DistributedSemaphore.create(comm, 2)) {   // collective
 *     slots.acquire();
 *     try {
 *         // at most two ranks at a time
 *     } finally {
 *         slots.release();
 *     }
 * }
 * }</pre>
 *
 * <p>Permits are not owned: any rank may release, whether it acquired or not. Only {@code create},
 * {@code createBounded} and {@link #close()} are collective; the other methods are called by each rank on its
 * own. One thread of a rank uses a semaphore at a time.
 *
 * <p>Interrupts: {@link #acquire()} and {@link #tryAcquire(long, TimeUnit)} throw {@link InterruptedException};
 * the request is then withdrawn (a permit granted meanwhile is given back) and the other ranks carry on.
 * {@link #acquireUninterruptibly()} keeps waiting, parked, and returns with the interrupt flag set. When a rank
 * fails while this one waits, the wait ends with {@link RankFailedException}.
 *
 * <p>Memory consistency effects: actions on a rank before it calls {@code release()} happen-before actions on
 * a rank after a successful acquire that takes a permit it released, for memory both ranks see (the node
 * memory of a {@link SharedArray} on their node).
 */
public final class DistributedSemaphore implements AutoCloseable
{
    /**
     * The semaphore's state, slots of an {@link OwnedState} ({@link OwnedStateLayout} in node memory):
     * <pre>
     *   PERMITS              the permits available
     *   COUNTER              the number of the last request
     *   ORDER + r            rank r's request number while it waits, else 0
     *   ORDER + ranks + r    rank r's grant slot
     * </pre>
     * "PSHMSEMA" in ASCII.
     */
    static final LayoutHeader LAYOUT = new LayoutHeader(0x5053_484D_5345_4D41L, 1, "the state of a semaphore");
    private static final int PERMITS = 0;
    private static final int COUNTER = 1;
    private static final int ORDER = 2;

    /** The operations on the permits, run with exclusive access on the owner's state. */
    private enum Op
    {
        /** Take a permit now or join the queue; returns 1 when taken. */
        REQUEST,
        /** Take a permit only if one is free and nobody waits; returns 1 when taken. */
        TRY,
        /** Add {@code a} permits and grant waiting ranks in order; returns the free permits, or OVER_BOUND. */
        RELEASE,
        /** Leave the queue; returns 1 when a permit was granted before. */
        CANCEL,
        /** Returns the free permits. */
        AVAILABLE
    }

    /** What RELEASE returns, instead of the free permits, when a bounded semaphore would exceed its bound. */
    private static final long OVER_BOUND = -1;

    private final OwnedState<Op> state;
    private final int rank;
    private final int ranks;
    private final int initialPermits;
    private final boolean bounded;
    private boolean closed;

    private DistributedSemaphore(final Communicator comm, final int permits, final boolean bounded)
    {
        this.rank = comm.rank();
        this.ranks = comm.size();
        this.initialPermits = permits;
        this.bounded = bounded;
        this.state = OwnedState.create(comm, 0, ORDER + 2 * ranks, ORDER + ranks, Op.class, this::apply,
            LAYOUT, "semaphore");
        if (rank == 0)
        {
            state.execute(Op.RELEASE, permits, 0);
        }
        comm.objectBarrier();
    }

    /**
     * Collective: a semaphore with {@code permits} permits.
     *
     * @param comm    the ranks that share it.
     * @param permits the initial number of permits, zero or more, the same on every rank.
     * @return the semaphore.
     * @throws IllegalArgumentException on every rank when {@code permits} is negative or differs between ranks.
     */
    public static DistributedSemaphore create(final Communicator comm, final int permits)
    {
        checkPermits(comm, permits, "DistributedSemaphore.create()");
        return new DistributedSemaphore(comm, permits, false);
    }

    /**
     * Collective: a bounded semaphore: a release that would raise the free permits above {@code permits} throws.
     *
     * @param comm    the ranks that share it.
     * @param permits the initial and largest number of permits, zero or more, the same on every rank.
     * @return the semaphore.
     * @throws IllegalArgumentException on every rank when {@code permits} is negative or differs between ranks.
     */
    public static DistributedSemaphore createBounded(final Communicator comm, final int permits)
    {
        checkPermits(comm, permits, "DistributedSemaphore.createBounded()");
        return new DistributedSemaphore(comm, permits, true);
    }

    private static void checkPermits(final Communicator comm, final int permits, final String op)
    {
        Objects.requireNonNull(comm, op + ": comm is null");
        final long[] all = comm.allGather((long)permits);
        for (int r = 0; r < all.length; r++)
        {
            if (all[r] != all[0])
            {
                throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": ranks disagree on the " +
                    "permits: rank 0 passed " + all[0] + ", rank " + r + " passed " + all[r]);
            }
        }
        if (permits < 0)
        {
            throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": permits " + permits +
                " is negative");
        }
    }

    /** Slots: [free permits, counter, order of each waiting rank..., grant of each rank...]. */
    private long apply(final Op op, final OwnedState.Slots slots, final long a, final long b, final int caller)
    {
        final int grants = ORDER + ranks;
        switch (op)
        {
            case REQUEST:
                slots.set(grants + caller, 0);
                if (slots.get(PERMITS) > 0 && nobodyWaits(slots))
                {
                    slots.set(PERMITS, slots.get(PERMITS) - 1);
                    return 1;
                }
                final long number = slots.get(COUNTER) + 1;
                slots.set(COUNTER, number);
                slots.set(ORDER + caller, number);
                return 0;
            case TRY:
                if (slots.get(PERMITS) > 0 && nobodyWaits(slots))
                {
                    slots.set(PERMITS, slots.get(PERMITS) - 1);
                    return 1;
                }
                return 0;
            case RELEASE:
                if (bounded && slots.get(PERMITS) + a > initialPermits)
                {
                    return OVER_BOUND;
                }
                slots.set(PERMITS, slots.get(PERMITS) + a);
                grantWaiting(slots);
                return slots.get(PERMITS);
            case CANCEL:
                if (slots.get(ORDER + caller) == 0)
                {
                    return slots.get(grants + caller) != 0 ? 1 : 0;
                }
                slots.set(ORDER + caller, 0);
                return 0;
            default: // AVAILABLE
                return slots.get(PERMITS);
        }
    }

    private boolean nobodyWaits(final OwnedState.Slots slots)
    {
        for (int r = 0; r < ranks; r++)
        {
            if (slots.get(ORDER + r) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /** Hands free permits to the waiting ranks, longest waiting first. */
    private void grantWaiting(final OwnedState.Slots slots)
    {
        while (slots.get(PERMITS) > 0)
        {
            int first = -1;
            for (int r = 0; r < ranks; r++)
            {
                final long order = slots.get(ORDER + r);
                if (order != 0 && (first < 0 || order < slots.get(ORDER + first)))
                {
                    first = r;
                }
            }
            if (first < 0)
            {
                return;
            }
            slots.set(ORDER + first, 0);
            slots.set(ORDER + ranks + first, 1);
            slots.set(PERMITS, slots.get(PERMITS) - 1);
        }
    }

    private long execute(final Op op, final long a)
    {
        return state.execute(op, a, 0);
    }

    /**
     * Takes a permit, waiting until one is free or the thread is interrupted.
     *
     * @throws InterruptedException when interrupted before or while waiting; no permit is taken.
     */
    public void acquire() throws InterruptedException
    {
        if (!tryAcquire("acquire()", 0))
        {
            throw new AssertionError("a wait without deadline ended without a permit");
        }
    }

    /**
     * Takes a permit, waiting until one is free; an interrupt is kept and the flag set on return.
     */
    public void acquireUninterruptibly()
    {
        checkOpen("acquireUninterruptibly()");
        if (execute(Op.REQUEST, 0) == 1)
        {
            return;
        }
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

    /**
     * Takes a permit only if one is free now and no rank waits for one.
     *
     * @return true when a permit was taken.
     */
    public boolean tryAcquire()
    {
        checkOpen("tryAcquire()");
        return execute(Op.TRY, 0) == 1;
    }

    /**
     * Takes a permit, waiting at most {@code timeout}, in turn with the other waiting ranks.
     *
     * @param timeout longest wait; zero or less means no wait.
     * @param unit    its unit.
     * @return true when a permit was taken, false when the time ran out (the request is withdrawn).
     * @throws InterruptedException when interrupted before or while waiting; no permit is taken.
     */
    public boolean tryAcquire(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "tryAcquire(): unit is null");
        return tryAcquire("tryAcquire()", System.nanoTime() + Math.max(1, unit.toNanos(timeout)));
    }

    private boolean tryAcquire(final String op, final long deadlineNanos) throws InterruptedException
    {
        checkOpen(op);
        if (Thread.interrupted())
        {
            throw new InterruptedException(op + " on rank " + rank + ": interrupted before waiting");
        }
        if (execute(Op.REQUEST, 0) == 1)
        {
            return true;
        }
        try
        {
            if (state.awaitGrantInterruptibly(rank, deadlineNanos))
            {
                return true;
            }
        }
        catch (final InterruptedException ex)
        {
            if (execute(Op.CANCEL, 0) == 1)
            {
                state.awaitGrant(rank, 0); // granted meanwhile: take the notice and give the permit back
                execute(Op.RELEASE, 1);
            }
            final InterruptedException named = new InterruptedException(op + " on rank " + rank +
                ": interrupted while waiting for a permit; the request is withdrawn");
            named.initCause(ex);
            throw named;
        }
        catch (final RuntimeException ex)
        {
            withdraw(ex);
            throw ex;
        }
        if (execute(Op.CANCEL, 0) == 1)
        {
            state.awaitGrant(rank, 0); // granted while giving up: keep the permit
            return true;
        }
        return false;
    }

    private void withdraw(final RuntimeException failure)
    {
        try
        {
            if (execute(Op.CANCEL, 0) == 1)
            {
                execute(Op.RELEASE, 1);
            }
        }
        catch (final RuntimeException cleanup)
        {
            failure.addSuppressed(cleanup);
        }
    }

    /**
     * Gives one permit back, to the rank that waits longest if any.
     *
     * @throws IllegalStateException when the semaphore is bounded and already holds its initial permits.
     */
    public void release()
    {
        release(1);
    }

    /**
     * Gives {@code permits} permits back.
     *
     * @param permits how many, one or more.
     * @throws IllegalArgumentException when {@code permits} is less than one.
     * @throws IllegalStateException    when the semaphore is bounded and would hold more than its initial
     *                                  permits; nothing is released then.
     */
    public void release(final int permits)
    {
        checkOpen("release()");
        if (permits < 1)
        {
            throw new IllegalArgumentException("release() on rank " + rank + ": permits " + permits +
                " is less than one");
        }
        if (execute(Op.RELEASE, permits) == OVER_BOUND)
        {
            throw new IllegalStateException("release(" + permits + ") on rank " + rank + ": the bounded semaphore " +
                "would hold more than its " + initialPermits + " initial permits (released more often than acquired)");
        }
    }

    /**
     * Returns the permits free now (they may be taken at once by another rank).
     *
     * @return the permits free now (they may be taken at once by another rank).
     */
    public int availablePermits()
    {
        checkOpen("availablePermits()");
        return (int)execute(Op.AVAILABLE, 0);
    }

    /**
     * Returns true for a semaphore made by {@code createBounded}.
     *
     * @return true for a semaphore made by {@code createBounded}.
     */
    public boolean isBounded()
    {
        return bounded;
    }

    /**
     * Collective: frees the semaphore's resources on every rank; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            state.close();
        }
    }

    private void checkOpen(final String op)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + rank + ": the semaphore is closed");
        }
    }
}
