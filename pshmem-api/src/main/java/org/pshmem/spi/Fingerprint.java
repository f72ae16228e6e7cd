package org.pshmem.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pshmem.api.ElementType;
import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;

/**
 * What one rank calls at one step of a communicator's collectives: the operation, its element type, reduction
 * and root where it has them, and the step (the number of collectives this rank made on the communicator
 * before it). Ranks compare fingerprints as part of every collective, so ranks that call different collectives
 * at the same step all fail, each naming every rank's call, instead of completing one another's call or waiting
 * forever.
 *
 * <p>On the wire a fingerprint is three longs: {@link #step()}, {@link #code()} and {@link #shape()}.
 *
 * @param step       collectives this rank made on the communicator before this one, from 0.
 * @param collective the operation.
 * @param type       the element type of the operation's arrays, or null when it has none.
 * @param op         the reduction of {@link Collective#ALL_REDUCE}, else null.
 * @param root       the root of {@link Collective#BROADCAST}, else -1.
 * @param count      the elements each rank gives (all-gather, all-reduce) or that the broadcast moves, else -1.
 */
public record Fingerprint(long step, Collective collective, ElementType type, ReduceOp op, int root, int count)
{
    /** The collectives of {@link CommEndpoint}. */
    public enum Collective
    {
        /** {@link CommEndpoint#barrier()}. */
        BARRIER("barrier"),
        /** {@link CommEndpoint#broadcast(Object, int, int, int)}. */
        BROADCAST("broadcast"),
        /** {@link CommEndpoint#allGather(Object, int, Object)}. */
        ALL_GATHER("allGather"),
        /** {@link CommEndpoint#allReduce(Object, Object, int, ReduceOp)}. */
        ALL_REDUCE("allReduce"),
        /** {@link CommEndpoint#split(int, int)}. */
        SPLIT("split"),
        /** {@link CommEndpoint#objectBarrier()}. */
        OBJECT_BARRIER("the creation or close() of a lock, counter, semaphore or condition");

        private static final Collective[] BY_CODE = values();
        private final String method;

        Collective(final String method)
        {
            this.method = method;
        }
    }

    private static final ElementType[] TYPES = ElementType.values();
    private static final ReduceOp[] OPS = ReduceOp.values();
    private static final int FIELD_BITS = 8;
    private static final int FIELD_MASK = (1 << FIELD_BITS) - 1;

    /**
     * Returns the fingerprint of a collective on an array with no reduction and no root, such as an all-gather.
     *
     * @param step       the step.
     * @param collective the operation.
     * @param array      a primitive array of the operation.
     * @param count      the elements this rank gives.
     * @return the fingerprint of {@code collective} with {@code array}'s element type, no reduction and no root.
     */
    public static Fingerprint of(final long step, final Collective collective, final Object array, final int count)
    {
        return new Fingerprint(step, collective, typeOf(array), null, -1, count);
    }

    /**
     * Returns the fingerprint of a broadcast.
     *
     * @param step  the step.
     * @param array the root's or a receiver's array.
     * @param count the elements sent or received.
     * @param root  the root.
     * @return the fingerprint of a broadcast.
     */
    public static Fingerprint broadcast(final long step, final Object array, final int count, final int root)
    {
        return new Fingerprint(step, Collective.BROADCAST, typeOf(array), null, root, count);
    }

    /**
     * Returns the fingerprint of an all-reduce.
     *
     * @param step  the step.
     * @param array the values sent.
     * @param count the elements sent.
     * @param op    the reduction.
     * @return the fingerprint of an all-reduce.
     */
    public static Fingerprint allReduce(final long step, final Object array, final int count, final ReduceOp op)
    {
        return new Fingerprint(step, Collective.ALL_REDUCE, typeOf(array), op, -1, count);
    }

    /**
     * Returns the fingerprint of a barrier or a split.
     *
     * @param step       the step.
     * @param collective {@link Collective#BARRIER} or {@link Collective#SPLIT}.
     * @return the fingerprint of a barrier or a split.
     */
    public static Fingerprint of(final long step, final Collective collective)
    {
        return new Fingerprint(step, collective, null, null, -1, -1);
    }

    /**
     * Returns the operation, type and reduction in one long, as sent between ranks.
     *
     * @return the operation, type and reduction in 24 bits; equal for equal calls at any step.
     */
    public long code()
    {
        return code(collective, type, op);
    }

    private static int code(final Collective collective, final ElementType type, final ReduceOp op)
    {
        return collective.ordinal() |
            (null == type ? 0 : type.ordinal() + 1) << FIELD_BITS |
            (null == op ? 0 : op.ordinal() + 1) << 2 * FIELD_BITS;
    }

    /**
     * Returns the count and root in one long, as sent between ranks.
     *
     * @return the count plus one in the high 32 bits, the root plus one in the low 32 bits.
     */
    public long shape()
    {
        return (long)(count + 1) << Integer.SIZE | (root + 1 & 0xFFFF_FFFFL);
    }

    /**
     * Returns a call's code without its root, as a {@link #code()} of at most 24 bits, for where a call is
     * posted in a few bits (a root is then not told apart).
     *
     * @param collective the operation.
     * @param array      a primitive array of the operation, or null when it has none.
     * @param op         the reduction, or null.
     * @return the code; {@link #decode(long, long, long)} gives the call back.
     */
    public static int callCode(final Collective collective, final Object array, final ReduceOp op)
    {
        return code(collective, null == array ? null : typeOf(array), op);
    }

    /**
     * Returns the fingerprint a rank sent as its step, code and shape.
     *
     * @param step  a fingerprint's {@link #step()}.
     * @param code  its {@link #code()}.
     * @param shape its {@link #shape()}.
     * @return the fingerprint.
     */
    public static Fingerprint decode(final long step, final long code, final long shape)
    {
        final int type = (int)(code >>> FIELD_BITS) & FIELD_MASK;
        final int op = (int)(code >>> 2 * FIELD_BITS) & FIELD_MASK;
        return new Fingerprint(step, Collective.BY_CODE[(int)code & FIELD_MASK], 0 == type ? null : TYPES[type - 1],
            0 == op ? null : OPS[op - 1], (int)shape - 1, (int)(shape >>> Integer.SIZE) - 1);
    }

    /**
     * Returns whether another rank's call is this one.
     *
     * @param other another rank's fingerprint.
     * @return true when both are the same call at the same step.
     */
    public boolean matches(final Fingerprint other)
    {
        return step == other.step && code() == other.code() && shape() == other.shape();
    }

    /**
     * Returns the call as a user wrote it.
     *
     * @return the call, such as {@code allReduce(int, SUM)} or {@code barrier()}.
     */
    public String call()
    {
        if (collective == Collective.OBJECT_BARRIER)
        {
            return collective.method;
        }
        final StringBuilder text = new StringBuilder(collective.method).append('(');
        if (null != type)
        {
            text.append(type.arrayClass().getComponentType().getSimpleName());
        }
        if (null != op)
        {
            text.append(", ").append(op.name());
        }
        if (root >= 0)
        {
            text.append(", root ").append(root);
        }
        return text.append(')').toString();
    }

    /**
     * Returns the call and its step, for a rank that waits in it.
     *
     * @return e.g. {@code barrier() (step 17)}.
     */
    @Override
    public String toString()
    {
        return call() + " (step " + step + ")";
    }

    /**
     * Returns the failure a rank throws when the ranks' calls differ.
     *
     * @param communicator names the communicator, such as {@code the world communicator}.
     * @param rank         the rank that throws it, named when only the counts differ.
     * @param byRank       every rank's fingerprint, by rank.
     * @return the failure when {@code byRank} do not all match: when the calls differ, the same text on every
     * rank, such as {@code collectives do not match at step 17 of the world communicator: rank 0 called
     * barrier(), ranks 1-2 called allReduce(int, SUM)}; when only the counts differ, such as
     * {@code allReduce() on rank 1: rank 0 contributes 1 long elements but rank 2 passed 2 long elements}.
     */
    public static PshmemException mismatch(final String communicator, final int rank, final Fingerprint[] byRank)
    {
        long step = Long.MAX_VALUE;
        boolean sameStep = true;
        boolean sameCall = true;
        for (final Fingerprint print : byRank)
        {
            sameStep &= print.step == byRank[0].step;
            sameCall &= print.code() == byRank[0].code() && print.root == byRank[0].root;
            step = Math.min(step, print.step);
        }
        if (sameStep && sameCall)
        {
            return countMismatch(rank, byRank);
        }
        final Map<String, List<Integer>> ranksByCall = new LinkedHashMap<>();
        for (int r = 0; r < byRank.length; r++)
        {
            final String call = sameStep ? byRank[r].call() : byRank[r].toString();
            ranksByCall.computeIfAbsent(call, c -> new ArrayList<>()).add(r);
        }
        final StringBuilder text = new StringBuilder("collectives do not match at step ").append(step)
            .append(sameStep ? "" : " or later").append(" of ").append(communicator).append(':');
        String separator = " ";
        for (final Map.Entry<String, List<Integer>> entry : ranksByCall.entrySet())
        {
            text.append(separator).append(ranks(entry.getValue())).append(" called ").append(entry.getKey());
            separator = ", ";
        }
        return new PshmemException(text.toString());
    }

    /** The same call on every rank, with different counts: named against the root's, or rank 0's. */
    private static PshmemException countMismatch(final int rank, final Fingerprint[] byRank)
    {
        final Fingerprint first = byRank[0];
        final int reference = first.collective == Collective.BROADCAST && first.root >= 0 &&
            first.root < byRank.length ? first.root : 0;
        int other = 0;
        while (other < byRank.length && byRank[other].count == byRank[reference].count)
        {
            other++;
        }
        final String elements = null == first.type ? " elements" : " " +
            first.type.arrayClass().getComponentType().getSimpleName() + " elements";
        return new PshmemException(first.collective.method + "() on rank " + rank + ": " +
            (first.collective == Collective.BROADCAST ? "root " + reference + " sends " : "rank " + reference +
            " contributes ") + byRank[reference].count + elements + " but rank " + other + " passed " +
            (other < byRank.length ? byRank[other].count : -1) + elements);
    }

    /**
     * Returns ranks as messages name them, runs shortened.
     *
     * @param ranks ascending ranks, at least one.
     * @return e.g. {@code rank 0}, {@code ranks 1-2} or {@code ranks 0, 2, 5-6}.
     */
    public static String ranks(final List<Integer> ranks)
    {
        final StringBuilder text = new StringBuilder(ranks.size() == 1 ? "rank " : "ranks ");
        for (int i = 0; i < ranks.size(); )
        {
            int j = i;
            while (j + 1 < ranks.size() && ranks.get(j + 1) == ranks.get(j) + 1)
            {
                j++;
            }
            text.append(i == 0 ? "" : ", ").append(ranks.get(i));
            if (j > i)
            {
                text.append('-').append(ranks.get(j));
            }
            i = j + 1;
        }
        return text.toString();
    }

    private static ElementType typeOf(final Object array)
    {
        final Class<?> arrayClass = array.getClass();
        for (final ElementType type : TYPES)
        {
            if (type.arrayClass() == arrayClass)
            {
                return type;
            }
        }
        throw new IllegalArgumentException("not a primitive array of a supported type: " + array);
    }
}
