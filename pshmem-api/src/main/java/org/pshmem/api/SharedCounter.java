package org.pshmem.api;

/**
 * A counter owned by one rank that every rank of a communicator can atomically fetch and add to, like
 * {@code itertools.count(start, step)} across processes (mpi4py's {@code Counter(start, step)}; upstream
 * pshmem has none). On one node it is an atomic operation in node memory; across nodes the owner's service
 * thread applies the additions.
 *
 * <pre>{@code
 * try (SharedCounter next = SharedCounter.create(comm)) {   // collective; 0, 1, 2, ...
 *     for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) { ... }
 * }
 * try (SharedCounter odd = SharedCounter.builder(comm).start(1).step(2).owner(3).build()) { ... }
 * }</pre>
 *
 * <p>The counter starts at {@code start} and {@link #getAndIncrement()} and {@link #incrementAndGet()} move it
 * by {@code step}, so the values they hand out over all ranks are {@code start}, {@code start + step}, ...,
 * each once. {@link #getAndAdd(long)} and {@link #addAndGet(long)} move it by any amount. Arithmetic wraps
 * around on overflow, as with {@link java.util.concurrent.atomic.AtomicLong}.
 *
 * <p>Only creation ({@code create}, {@link Builder#build()}) and {@code close} are collective; {@code getAndAdd},
 * {@code addAndGet}, {@code getAndIncrement}, {@code incrementAndGet} and {@code get} are called by each rank
 * on its own and talk only to the owner's state; {@code start()}, {@code step()} and the builder are local.
 * One thread of a rank uses a counter at a time.
 *
 * <p>Interrupts: no method can be interrupted; an interrupted rank keeps waiting for the owner's answer,
 * parked, and returns with its interrupt flag set.
 *
 * <p>Memory consistency effects: every operation of every rank on one counter is atomic and takes place in one
 * order over all ranks, the order of the values it returns. Actions of a rank before an operation
 * happen-before the actions of another rank after a later operation in that order, for ranks of one node:
 * with the local transport (ranks as threads of one JVM) in the sense of the Java Memory Model; with one
 * process per rank for changes to the node memory of their node (through pshmem's objects), which the
 * counter's own accesses to node memory, or the messages to and from its owner, order. Ranks on different
 * nodes share no memory; for them only the order of the values counts.
 */
public final class SharedCounter implements AutoCloseable
{
    /** Options of a counter; {@link #build()} is collective. */
    public static final class Builder
    {
        private final Communicator comm;
        private long start;
        private long step = 1;
        private int owner;

        private Builder(final Communicator comm)
        {
            this.comm = comm;
        }

        /**
         * Returns this.
         *
         * @param value the first value, the same on every rank. Default 0.
         * @return this.
         */
        public Builder start(final long value)
        {
            this.start = value;
            return this;
        }

        /**
         * Returns this.
         *
         * @param value what {@link SharedCounter#getAndIncrement()} and {@link SharedCounter#incrementAndGet()}
         *              add, the same on every rank; may be zero or negative. Default 1.
         * @return this.
         */
        public Builder step(final long value)
        {
            this.step = value;
            return this;
        }

        /**
         * Returns this.
         *
         * @param rank the rank that owns the counter's state, the same on every rank. Default 0.
         * @return this.
         */
        public Builder owner(final int rank)
        {
            this.owner = rank;
            return this;
        }

        /**
         * Collective over the communicator.
         *
         * @return the counter.
         * @throws IllegalArgumentException on every rank when the ranks disagree on the start, the step or the
         *                                  owner, or the owner is out of range.
         */
        public SharedCounter build()
        {
            checkAgreed(comm, owner, start, step);
            return new SharedCounter(comm, owner, start, step);
        }
    }

    /**
     * The counter's state, one slot of an {@link OwnedState} ({@link OwnedStateLayout} in node memory):
     * <pre>
     *   VALUE    the current value (the owner adds the start to 0 when the counter is made)
     * </pre>
     * "PSHMCNTR" in ASCII.
     */
    static final LayoutHeader LAYOUT = new LayoutHeader(0x5053_484D_434E_5452L, 1, "the state of a counter");
    private static final int VALUE = 0;

    /** The one operation on the counter, run with exclusive access on the owner's state. */
    private enum Op
    {
        /** Add {@code a}; returns the value before. */
        ADD
    }

    private final OwnedState<Op> state;
    private final int rank;
    private final long start;
    private final long step;
    private boolean closed;

    private SharedCounter(final Communicator comm, final int owner, final long start, final long step)
    {
        this.rank = comm.rank();
        this.start = start;
        this.step = step;
        this.state = OwnedState.create(comm, owner, 1, OwnedState.NO_GRANTS, Op.class, (op, slots, a, b, caller) ->
        {
            final long value = slots.get(VALUE);
            slots.set(VALUE, value + a);
            return value;
        }, LAYOUT, "counter");
        if (comm.rank() == owner)
        {
            state.execute(Op.ADD, start, 0);
        }
        comm.objectBarrier();
    }

    /**
     * Collective: a counter counting 0, 1, 2, ..., owned by rank 0.
     *
     * @param comm the ranks that share it.
     * @return the counter.
     */
    public static SharedCounter create(final Communicator comm)
    {
        return builder(comm).build();
    }

    /**
     * Collective: a counter counting {@code start}, {@code start + step}, ..., owned by rank 0.
     *
     * @param comm  the ranks that share it.
     * @param start the first value, the same on every rank.
     * @param step  what {@link #getAndIncrement()} adds, the same on every rank.
     * @return the counter.
     * @throws IllegalArgumentException on every rank when the ranks disagree on the start or the step.
     */
    public static SharedCounter create(final Communicator comm, final long start, final long step)
    {
        return builder(comm).start(start).step(step).build();
    }

    /**
     * Returns a builder of a counter over {@code comm}: set options (start, step, owner), then call
     * {@link Builder#build()} on every rank.
     *
     * @param comm the ranks that will share the counter.
     * @return options to set (start, step, owner), then {@link Builder#build()}.
     */
    public static Builder builder(final Communicator comm)
    {
        if (null == comm)
        {
            throw new NullPointerException("SharedCounter.builder(): comm is null");
        }
        return new Builder(comm);
    }

    private static void checkAgreed(final Communicator comm, final int owner, final long start, final long step)
    {
        final String op = "SharedCounter.create()";
        final long[] all = (long[])comm.allGather(new long[] {owner, start, step});
        final String[] names = {"owner", "start", "step"};
        for (int r = 1; r < comm.size(); r++)
        {
            for (int i = 0; i < names.length; i++)
            {
                if (all[3 * r + i] != all[i])
                {
                    throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": ranks disagree on the " +
                        names[i] + ": rank 0 passed " + all[i] + ", rank " + r + " passed " + all[3 * r + i]);
                }
            }
        }
        if (owner < 0 || owner >= comm.size())
        {
            throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": owner " + owner +
                " is out of range for a communicator of " + comm.size() + " ranks");
        }
    }

    /**
     * Returns the first value.
     *
     * @return the first value.
     */
    public long start()
    {
        return start;
    }

    /**
     * Returns what {@link #getAndIncrement()} adds.
     *
     * @return what {@link #getAndIncrement()} adds.
     */
    public long step()
    {
        return step;
    }

    /**
     * Atomically adds {@code delta} and returns the value before.
     *
     * @param delta the amount to add (may be negative).
     * @return the previous value.
     * @throws IllegalStateException if the counter is closed.
     */
    public long getAndAdd(final long delta)
    {
        return add("getAndAdd()", delta);
    }

    /**
     * Atomically adds {@code delta} and returns the value after.
     *
     * @param delta the amount to add (may be negative).
     * @return the updated value.
     * @throws IllegalStateException if the counter is closed.
     */
    public long addAndGet(final long delta)
    {
        return add("addAndGet()", delta) + delta;
    }

    /**
     * Atomically adds the step and returns the value before: the next of {@code start}, {@code start + step},
     * ...
     *
     * @return the previous value.
     * @throws IllegalStateException if the counter is closed.
     */
    public long getAndIncrement()
    {
        return add("getAndIncrement()", step);
    }

    /**
     * Atomically adds the step and returns the value after.
     *
     * @return the updated value.
     * @throws IllegalStateException if the counter is closed.
     */
    public long incrementAndGet()
    {
        return add("incrementAndGet()", step) + step;
    }

    /**
     * Returns the current value.
     *
     * @return the current value.
     * @throws IllegalStateException if the counter is closed.
     */
    public long get()
    {
        return add("get()", 0);
    }

    private long add(final String op, final long delta)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + rank + ": the counter is closed");
        }
        return state.execute(Op.ADD, delta, 0);
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
