package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Three ranks under {@code mpirun} call every bound function ({@link MpiJobMain} checks the results); and the
 * harness itself is checked: a wrong expectation and an {@code MPI_Abort} must fail the job.
 */
class MpiJobTest
{
    private static final int RANKS = 3;
    private static final Pattern PASSED = Pattern.compile("(?m)^rank (\\d+) of 3: (\\d+) checks passed$");

    @Test
    void everyRankPassesEveryCheck() throws Exception
    {
        final MpiRun.Result result = MpiRun.run(RANKS, 120, MpiJobMain.class, Integer.toString(RANKS));
        assertEquals(0, result.exitCode(), result.output());
        final Matcher matcher = PASSED.matcher(result.output());
        final boolean[] seen = new boolean[RANKS];
        while (matcher.find())
        {
            final int rank = Integer.parseInt(matcher.group(1));
            assertTrue(!seen[rank], "rank " + rank + " reported twice:\n" + result.output());
            seen[rank] = true;
            // Rank 0 skips a few checks of a split that leaves it out; every rank runs at least 70.
            assertTrue(Integer.parseInt(matcher.group(2)) >= 70, result.output());
        }
        for (int rank = 0; rank < RANKS; rank++)
        {
            assertTrue(seen[rank], "rank " + rank + " did not report:\n" + result.output());
        }
        assertTrue(result.output().contains("MPI_Send failed with error "), result.output());
        assertTrue(Pattern.compile("(?m)^thread level provided: (SINGLE|FUNNELED|SERIALIZED|MULTIPLE)$")
            .matcher(result.output()).find(), result.output());
        assertTrue(!result.output().contains("FAILED"), result.output());
    }

    @Test
    void aFailedCheckFailsTheJob() throws Exception
    {
        final MpiRun.Result result = MpiRun.run(RANKS, 120, MpiJobMain.class, Integer.toString(RANKS), "wrong");
        assertEquals(3, result.exitCode(), result.output());
        assertTrue(result.output().contains("FAILED: java.lang.AssertionError: int SUM: expected [7,"),
            result.output());
        assertTrue(!PASSED.matcher(result.output()).find(), result.output());
    }

    @Test
    void abortEndsEveryRankWithItsCode() throws Exception
    {
        // Ranks 0 and 2 wait in a barrier rank 1 never reaches; MPI_Abort must end them, and mpirun reports 7.
        final MpiRun.Result result = MpiRun.run(RANKS, 120, MpiJobMain.class, Integer.toString(RANKS), "abort");
        assertEquals(7, result.exitCode(), result.output());
        assertTrue(result.output().contains("rank 1 aborting"), result.output());
        assertTrue(!result.output().contains("the barrier returned"), result.output());
    }
}
