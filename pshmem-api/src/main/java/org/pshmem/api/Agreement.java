package org.pshmem.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.pshmem.spi.CommEndpoint;

/**
 * Collective error agreement: every rank contributes a few facts and, optionally, a local problem; if any
 * rank has one, every rank throws the same exception naming the lowest such rank. This is what keeps a
 * collective call from hanging when only some ranks detect bad input.
 */
final class Agreement
{
    static final long OK = 0;
    static final long BAD_ARGUMENT = 1;
    static final long FAILURE = 2;

    private Agreement()
    {
    }

    /**
     * Collective: all-gathers {@code facts} (slot 0 is overwritten with this rank's status).
     *
     * @return every rank's facts, rank after rank.
     */
    static long[] exchange(final CommEndpoint ep, final long status, final long... facts)
    {
        final long[] mine = facts.clone();
        mine[0] = status;
        final long[] all = new long[mine.length * ep.size()];
        ep.allGather(mine, mine.length, all);
        return all;
    }

    /**
     * Collective: if any rank's status in {@code all} is not OK, every rank throws the lowest such rank's
     * problem; that rank's text is broadcast so all messages are identical.
     */
    static void raiseIfAny(
        final CommEndpoint ep, final String op, final long[] all, final int stride, final String localProblem,
        final Throwable localCause)
    {
        for (int rank = 0; rank < ep.size(); rank++)
        {
            final long status = all[rank * stride];
            if (status != OK)
            {
                final String text = share(ep, rank, localProblem);
                final String message = op + " failed on rank " + rank + ": " + text;
                if (status == BAD_ARGUMENT)
                {
                    throw new IllegalArgumentException(message, ep.rank() == rank ? localCause : null);
                }
                throw new PshmemException(message, ep.rank() == rank ? localCause : null);
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

    /**
     * @return the ranks whose fact at {@code slot} differs from rank 0's, or an empty array.
     */
    static int[] disagreeing(final long[] all, final int stride, final int slot)
    {
        final int ranks = all.length / stride;
        return java.util.stream.IntStream.range(0, ranks)
            .filter(r -> all[r * stride + slot] != all[slot])
            .toArray();
    }

    static String describe(final int[] ranks)
    {
        return ranks.length == 1 ? "rank " + ranks[0] : "ranks " + Arrays.toString(ranks);
    }
}
