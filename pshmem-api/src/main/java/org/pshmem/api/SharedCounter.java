package org.pshmem.api;

/**
 * A counter owned by one rank that every rank of a communicator can atomically fetch and add to, like
 * {@code itertools.count} across processes (mpi4py's {@code Counter}; upstream pshmem has none). On one node
 * it is an atomic operation in node memory; across nodes the owner's service thread applies the additions.
 *
 * <pre>{@code
 * try (SharedCounter next = SharedCounter.create(comm)) {   // collective
 *     for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) { ... }
 * }
 * }</pre>
 *
 * <p>Only {@code create} and {@code close} are collective; {@code getAndAdd}, {@code getAndIncrement} and
 * {@code get} are called by each rank on its own and talk only to the owner's state. One thread of a rank uses
 * a counter at a time.
 */
public final class SharedCounter implements AutoCloseable
{
    private static final int ADD = 1;
    private final OwnedState state;
    private final int rank;
    private boolean closed;

    private SharedCounter(final Communicator comm, final int owner, final long initial)
    {
        this.rank = comm.rank();
        this.state = OwnedState.create(comm, owner, 1, OwnedState.NO_GRANTS, (op, slots, a, b, caller) ->
        {
            final long value = slots.get(0);
            slots.set(0, value + a);
            return value;
        }, "counter");
        if (comm.rank() == owner)
        {
            state.execute(ADD, initial, 0);
        }
        comm.barrier();
    }

    /**
     * Collective: a counter starting at 0, owned by rank 0.
     *
     * @param comm the ranks that share it.
     * @return the counter.
     */
    public static SharedCounter create(final Communicator comm)
    {
        return create(comm, 0, 0);
    }

    /**
     * Collective.
     *
     * @param comm    the ranks that share it.
     * @param owner   the rank that owns it, the same on every rank.
     * @param initial the first value, as given on the owner.
     * @return the counter.
     */
    public static SharedCounter create(final Communicator comm, final int owner, final long initial)
    {
        DistributedLock.checkOwner(comm, owner, "SharedCounter.create()");
        return new SharedCounter(comm, owner, initial);
    }

    /**
     * Atomically adds {@code delta} and returns the value before.
     *
     * @param delta the amount to add (may be negative).
     * @return the previous value.
     */
    public long getAndAdd(final long delta)
    {
        if (closed)
        {
            throw new IllegalStateException("getAndAdd() on rank " + rank + ": the counter is closed");
        }
        return state.execute(ADD, delta, 0);
    }

    /**
     * @return the value before adding one.
     */
    public long getAndIncrement()
    {
        return getAndAdd(1);
    }

    /**
     * @return the current value.
     */
    public long get()
    {
        return getAndAdd(0);
    }

    /**
     * Collective; idempotent.
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
}
