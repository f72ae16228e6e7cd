package org.pshmem.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

import org.pshmem.spi.CommEndpoint;

/**
 * Collective error agreement: every rank contributes a status and a few facts and, optionally, a local problem;
 * if any rank has one, every rank throws the same exception naming the lowest such rank. This is what keeps a
 * collective call from hanging when only some ranks detect bad input.
 *
 * <p>On the wire a rank's contribution is longs: its status's code, then its facts; {@link Facts} reads them.
 */
final class Agreement
{
    /** What a rank brings to an agreement; a problem makes every rank throw. */
    enum Status
    {
        /** No problem here. */
        OK,
        /** This rank's arguments are bad: every rank throws {@link IllegalArgumentException}. */
        BAD_ARGUMENT,
        /** This rank could not do its part: every rank throws {@link PshmemException}. */
        FAILURE;

        private static final Status[] BY_CODE = values();

        long code()
        {
            return ordinal();
        }

        static Status of(final long code)
        {
            return BY_CODE[(int)code];
        }

        /** @return OK when there is no problem, else {@code kind}. */
        static Status of(final String problem, final Status kind)
        {
            return null == problem ? OK : kind;
        }
    }

    /** Every rank's status and facts, as gathered: ranks in order, each with the same number of facts. */
    static final class Facts
    {
        private final long[] all;
        private final int stride;

        Facts(final long[] all, final int stride)
        {
            this.all = all;
            this.stride = stride;
        }

        int ranks()
        {
            return all.length / stride;
        }

        Status status(final int rank)
        {
            return Status.of(all[rank * stride]);
        }

        /** @return fact number {@code fact} (from 0, in the order given to {@link #exchange}) of {@code rank}. */
        long fact(final int rank, final int fact)
        {
            return all[rank * stride + 1 + fact];
        }

        /** @return the ranks whose fact number {@code fact} differs from rank 0's; empty when all agree. */
        int[] disagreeing(final int fact)
        {
            return IntStream.range(0, ranks()).filter(r -> fact(r, fact) != fact(0, fact)).toArray();
        }
    }

    private Agreement()
    {
    }

    /**
     * Collective: all-gathers this rank's status and {@code facts}.
     *
     * @return every rank's status and facts.
     */
    static Facts exchange(final CommEndpoint ep, final Status status, final long... facts)
    {
        final long[] mine = new long[1 + facts.length];
        mine[0] = status.code();
        System.arraycopy(facts, 0, mine, 1, facts.length);
        final long[] all = new long[mine.length * ep.size()];
        ep.allGather(mine, mine.length, all);
        return new Facts(all, mine.length);
    }

    /**
     * Collective: agrees on a local {@code problem} (null for none) of the given kind, then throws it on every rank
     * as {@link #raiseIfAny} does.
     */
    static void check(final CommEndpoint ep, final String op, final Status kind, final String problem,
        final Throwable localCause)
    {
        raiseIfAny(ep, op, exchange(ep, Status.of(problem, kind)), problem, localCause);
    }

    /**
     * Collective: if any rank's status is not OK, every rank throws the lowest such rank's problem; that rank's
     * text is broadcast so all messages are identical, and only that rank's exception carries its cause.
     */
    static void raiseIfAny(
        final CommEndpoint ep, final String op, final Facts facts, final String localProblem,
        final Throwable localCause)
    {
        for (int rank = 0; rank < facts.ranks(); rank++)
        {
            final Status status = facts.status(rank);
            if (status != Status.OK)
            {
                final String text = share(ep, rank, localProblem);
                final String message = op + " failed on rank " + rank + ": " + text;
                final Throwable cause = ep.rank() == rank ? localCause : null;
                if (status == Status.BAD_ARGUMENT)
                {
                    throw new IllegalArgumentException(message, cause);
                }
                throw new PshmemException(message, cause);
            }
        }
    }

    /**
     * Collective: broadcasts a short text from {@code root}.
     */
    static String share(final CommEndpoint ep, final int root, final String text)
    {
        final boolean isRoot = ep.rank() == root;
        final byte[] bytes = isRoot ? String.valueOf(text).getBytes(StandardCharsets.UTF_8) : null;
        final int[] length = {isRoot ? bytes.length : 0};
        ep.broadcast(length, 0, 1, root);
        final byte[] buffer = isRoot ? bytes : new byte[length[0]];
        ep.broadcast(buffer, 0, buffer.length, root);
        return new String(buffer, StandardCharsets.UTF_8);
    }

    static String describe(final int[] ranks)
    {
        return org.pshmem.spi.Fingerprint.ranks(Arrays.stream(ranks).boxed().toList());
    }
}
