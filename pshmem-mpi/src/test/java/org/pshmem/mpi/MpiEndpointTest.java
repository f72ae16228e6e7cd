package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@link MpiEndpoint} on three ranks under {@code mpirun} ({@link MpiEndpointJobMain} checks each result), and
 * the failures of mismatched collectives: the same text on every rank.
 */
class MpiEndpointTest
{
    private static final int RANKS = 3;

    @Test
    void everyRankPassesAndMismatchesReadAlike() throws Exception
    {
        final MpiRun.Result result = MpiRun.run(RANKS, 120, MpiEndpointJobMain.class, Integer.toString(RANKS));
        assertEquals(0, result.exitCode(), result.output());
        final Matcher passed = Pattern.compile("(?m)^endpoint rank (\\d) of 3: (\\d+) checks passed$")
            .matcher(result.output());
        int ranks = 0;
        while (passed.find())
        {
            ranks++;
            assertTrue(Integer.parseInt(passed.group(2)) >= 25, result.output());
        }
        assertEquals(RANKS, ranks, result.output());

        // Two mismatches, each reported alike by every rank (the count mismatch names the calling rank).
        final Matcher mismatch = Pattern.compile("(?m)^mismatch (\\d): (.*)$").matcher(result.output());
        final List<String> calls = new ArrayList<>();
        while (mismatch.find())
        {
            if (mismatch.group(2).startsWith("collectives do not match"))
            {
                calls.add(mismatch.group(2));
            }
        }
        assertEquals(RANKS, calls.size(), result.output());
        assertEquals(1, calls.stream().distinct().count(), result.output());
        // Steps 0-11 are the world's collectives before it (barriers, reductions, broadcast, gather, three splits).
        assertEquals("collectives do not match at step 12 of the world communicator: rank 0 called barrier(), "
            + "ranks 1-2 called allReduce(int, SUM)", calls.get(0));
    }
}
