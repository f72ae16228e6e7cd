package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.pshmem.local.LocalLauncher;

/**
 * What the in-process launcher says about a job that stopped moving and about a failed job: where every rank is
 * (its call and step, or what it does instead), once a rank has waited the stretch and again when
 * {@code --timeout} aborts the job; and for a failed job one line per rank, then one stack trace (every one with
 * {@code pshmem.allTraces}).
 */
class JobReportTest
{
    @Test
    void aJobThatStoppedMovingIsReportedRankByRankAndAgainAtItsTimeout() throws Exception
    {
        // The stall report needs a 2 s stretch after the ranks start; the timeout leaves room for slow starts.
        final ChildProcess.Result result = LocalJvm.run(List.of("-Dpshmem.hangReportSeconds=2"),
            LocalLauncher.class.getName(), "-np", "3", "--timeout", "8", HangJob.class.getName());
        final String err = result.err();
        assertEquals(1, result.status(), err);
        final List<String> lines = err.lines().toList();
        final int hang = OutputText.indexOf(lines, "pshmem: the job has not moved for ");
        final int timeout = lines.indexOf("pshmem: the job did not finish within 8 s; aborted; where every rank was:");
        assertTrue(hang >= 0 && timeout > hang, err);
        for (final int headline : new int[] {hang, timeout})
        {
            assertTrue(lines.get(headline + 1).startsWith(
                "pshmem:   rank 0: in barrier() (step 0) on the world communicator since "), err);
            assertTrue(lines.get(headline + 1).endsWith(" s ago)"), err);
            assertTrue(lines.get(headline + 2).startsWith(
                "pshmem:   rank 1: in allReduce(int, SUM) (step 0) on the world communicator since "),
                err);
            assertEquals("pshmem:   rank 2: running, not in a collective", lines.get(headline + 3), err);
        }
        // Whichever of ranks 0 and 1 entered its call first has waited longest.
        assertTrue(lines.get(hang).matches("pshmem: the job has not moved for \\d+ s \\(rank " +
            "(0 waits in barrier\\(\\)|1 waits in allReduce\\(int, SUM\\)) \\(step 0\\) " +
            "on the world communicator\\); where every rank is:"), err);
    }

    @Test
    void ranksWaitingInAnArrayCallAreReportedWithTheArray() throws Exception
    {
        final ChildProcess.Result result = LocalJvm.run(List.of("-Dpshmem.hangReportSeconds=2"),
            LocalLauncher.class.getName(), "-np", "3", "--timeout", "8", HangJob.class.getName(), "set");
        final String err = result.err();
        assertEquals(1, result.status(), err);
        final List<String> lines = err.lines().toList();
        final int hang = OutputText.indexOf(lines, "pshmem: the job has not moved for ");
        assertTrue(hang >= 0, err);
        for (int rank = 0; rank < 2; rank++)
        {
            assertTrue(lines.get(hang + 1 + rank).startsWith("pshmem:   rank " + rank + ": in set() on array 1 on " +
                "the world communicator since "), err);
        }
        assertEquals("pshmem:   rank 2: running, not in a collective", lines.get(hang + 3), err);
    }

    @Test
    void aFailedJobReadsInOneScreenWithOneStackTrace() throws Exception
    {
        final String err = failedJob(List.of());
        assertEachRankOnce(err);
        assertEquals(1, OutputText.count(err, "pshmem: stack trace of rank "), err);
        assertEquals(1, OutputText.count(err, "\tat org.pshmem.spi.Fingerprint.mismatch("), err);
        assertTrue(err.contains("(every rank's with pshmem.allTraces or PSHMEM_ALL_TRACES=true):"), err);
        assertEquals(1, OutputText.count(err, "pshmem: local job of 3 ranks failed: "), err);
    }

    @Test
    void everyStackTraceWithTheSetting() throws Exception
    {
        final String err = failedJob(List.of("-Dpshmem.allTraces=true"));
        assertEachRankOnce(err);
        for (int rank = 0; rank < 3; rank++)
        {
            assertEquals(1, OutputText.count(err, "pshmem: stack trace of rank " + rank + ":\n"), err);
        }
        assertEquals(3, OutputText.count(err, "\tat org.pshmem.spi.Fingerprint.mismatch("), err);
    }

    /** @return the standard error of a job whose ranks all fail alike, on 3 ranks. */
    private static String failedJob(final List<String> options) throws Exception
    {
        final ChildProcess.Result result = LocalJvm.run(options, LocalLauncher.class.getName(), "-np", "3",
            "--timeout", "60", MisuseJob.class.getName(), "barrier-against-allReduce");
        assertEquals(1, result.status(), result.err());
        return result.err();
    }

    private static void assertEachRankOnce(final String err)
    {
        for (int rank = 0; rank < 3; rank++)
        {
            assertEquals(1, OutputText.count(err, "pshmem: rank " + rank + " failed: org.pshmem.api.PshmemException: " +
                "collectives do not match at step 1 of the world communicator"), err);
        }
    }
}
