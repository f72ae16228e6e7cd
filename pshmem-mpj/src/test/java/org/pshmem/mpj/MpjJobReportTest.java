package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pshmem.spi.Setting;
import org.pshmem.tests.HangJob;
import org.pshmem.tests.MisuseJob;
import org.pshmem.tests.OutputText;

/**
 * What the MPJ launcher says about a job that stopped moving and about a failed job, from what its ranks left in
 * the job folder: where every rank is (its call and step, or what it does instead), once a rank has waited the
 * stretch and again when {@code --timeout} aborts the job; and for a failed job one line per rank, then one stack
 * trace (every one with {@code pshmem.allTraces}), with no rank printing its own.
 */
class MpjJobReportTest
{
    /** niodev, a JVM per rank on two simulated nodes, and the multicore device, every rank in one JVM. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--nodes 2", "--device multicore"})
    void aJobThatStoppedMovingIsReportedRankByRankAndAgainAtItsTimeout(final String layout) throws Exception
    {
        // The stall report needs a 2 s stretch after the ranks start; the timeout leaves room for slow starts.
        final List<String> options = new java.util.ArrayList<>(List.of("-np", "3", "--timeout", "10"));
        options.addAll(List.of(layout.split(" ")));
        final MpjJobs.Result result = withLauncherSetting(Setting.HANG_REPORT_SECONDS, "2", () ->
            MpjJobs.run(options, HangJob.class.getName()));
        final String err = result.err();
        assertEquals(1, result.status(), result.both());
        final List<String> lines = err.lines().toList();
        final int hang = OutputText.indexOf(lines, "pshmem: the job has not moved for ");
        final int timeout = lines.indexOf("pshmem: the job did not finish within 10 s; aborted; where every rank was:");
        assertTrue(hang >= 0 && timeout > hang, result.both());
        for (final int headline : new int[] {hang, timeout})
        {
            assertTrue(lines.get(headline + 1).startsWith(
                "pshmem:   rank 0: in barrier() (step 0) on the world communicator since "), err);
            assertTrue(lines.get(headline + 2).startsWith(
                "pshmem:   rank 1: in allReduce(int, SUM) (step 0) on the world communicator since "),
                err);
            assertEquals("pshmem:   rank 2: running, not in a collective", lines.get(headline + 3), err);
        }
    }

    @Test
    void aFailedJobReadsInOneScreenWithOneStackTrace() throws Exception
    {
        final MpjJobs.Result result = failedJob("false");
        assertEachRankOnce(result);
        assertEquals(1, OutputText.count(result.both(), "pshmem: stack trace of rank 0 (every rank's with "), result.both());
        assertEquals(1, OutputText.count(result.both(), "pshmem: stack trace of "), result.both());
        assertEquals(1, OutputText.count(result.both(), "\tat org.pshmem.spi.Fingerprint.mismatch("), result.both());
        assertTrue(result.err().contains("pshmem: job aborted: ranks 0, 1, 2, 3 failed"), result.both());
    }

    @Test
    void everyStackTraceWithTheSetting() throws Exception
    {
        final MpjJobs.Result result = failedJob("true");
        assertEachRankOnce(result);
        for (int rank = 0; rank < 4; rank++)
        {
            assertEquals(1, OutputText.count(result.err(), "pshmem: stack trace of rank " + rank + ":\n"), result.both());
        }
        assertEquals(4, OutputText.count(result.both(), "\tat org.pshmem.spi.Fingerprint.mismatch("), result.both());
    }

    /** @return a job of 4 ranks on 2 nodes whose ranks all fail alike. */
    private static MpjJobs.Result failedJob(final String allTraces) throws Exception
    {
        final MpjJobs.Result result = withLauncherSetting(Setting.ALL_TRACES, allTraces, () ->
            MpjJobs.run(List.of("-np", "4", "--nodes", "2", "--timeout", "120"), MisuseJob.class.getName(),
                "barrier-against-allReduce"));
        assertEquals(1, result.status(), result.both());
        return result;
    }

    private static void assertEachRankOnce(final MpjJobs.Result result)
    {
        for (int rank = 0; rank < 4; rank++)
        {
            assertEquals(1, OutputText.count(result.both(), "pshmem: rank " + rank + " failed: org.pshmem.api.PshmemException: " +
                "collectives do not match at step 1 of the world communicator"), result.both());
        }
    }

    /** Runs a job with a setting the launcher (this JVM) reads, put back afterwards. */
    private static MpjJobs.Result withLauncherSetting(final Setting setting, final String value,
        final Callable<MpjJobs.Result> job) throws Exception
    {
        final String property = setting.property().orElseThrow();
        final String before = System.getProperty(property);
        System.setProperty(property, value);
        try
        {
            return job.call();
        }
        finally
        {
            if (null == before)
            {
                System.clearProperty(property);
            }
            else
            {
                System.setProperty(property, before);
            }
        }
    }
}
