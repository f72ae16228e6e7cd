package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rank that leaves a job of 4 ranks under {@code mpirun} while the others wait for it ({@link MpiDepartureJobMain},
 * rank {@value MpiDepartureJobMain#LEAVER} leaving): it returns from main, throws, or is killed with
 * {@code kill -9}. In every case the job ends with a non-zero status, no waiting rank passes its call, and the
 * job's segment directory (a fresh folder in {@code /dev/shm}) holds nothing afterwards. A rank that returns is
 * named by every waiting rank, with the call it waits in. The jobs' timeout is a safety net against a hang, not a
 * measure of speed.
 */
class MpiDepartureTest
{
    private static final int RANKS = 4;
    private static final long SAFETY_NET_SECONDS = 180;
    private static final int LEAVER = MpiDepartureJobMain.LEAVER;

    @ParameterizedTest
    @ValueSource(strings = {"barrier", "allReduce", "receive"})
    void everyWaitingRankNamesTheRankThatReturned(final String call) throws Exception
    {
        final MpiRun.Result result = run("return", call, "catch");
        assertNotEquals(0, result.exitCode(), result.output());
        final String waited = switch (call)
        {
            case "allReduce" -> "allReduce(long, MAX)";
            default -> call + "()";
        };
        for (int rank = 0; rank < RANKS; rank++)
        {
            if (rank != LEAVER)
            {
                final Pattern named = Pattern.compile("(?m)^rank " + rank + " caught: " + Pattern.quote(waited) +
                    " on rank " + rank + ": rank " + LEAVER + " finished without [^\n]*\\(failed rank " + LEAVER +
                    "\\)$");
                assertTrue(named.matcher(result.output()).find(), "rank " + rank + ": " + result.output());
            }
        }
        assertFalse(result.output().contains(" passed "), result.output());
    }

    @Test
    void aReturnedRankEndsTheJobThroughAnUncaughtFailure() throws Exception
    {
        final MpiRun.Result result = run("return", "barrier");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("org.pshmem.api.RankFailedException: barrier() on rank "),
            result.output());
        assertTrue(result.output().contains(": rank " + LEAVER + " finished without taking part in barrier() " +
            "(step "), result.output());
        assertFalse(result.output().contains(" passed "), result.output());
    }

    @Test
    void aRankThatThrowsEndsTheJob() throws Exception
    {
        final MpiRun.Result result = run("throw", "barrier");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("java.lang.IllegalStateException: rank " + LEAVER +
            " fails on purpose"), result.output());
        assertFalse(result.output().contains(" passed "), result.output());
    }

    @Test
    void aKilledRankEndsTheJob() throws Exception
    {
        final MpiRun.Result result = run("kill", "barrier");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("mpirun noticed that process rank " + LEAVER + " with PID "),
            result.output());
        assertTrue(result.output().contains(" exited on signal 9 (Killed)"), result.output());
        assertFalse(result.output().contains(" passed "), result.output());
        // mpirun ends the others with SIGTERM: they must not tell each other they finished.
        assertFalse(result.output().contains("finished without"), result.output());
    }

    /**
     * mpirun's {@code --timeout} ends a job whose ranks wait in MPI calls (polling a receive from the stalled
     * rank): it sends them SIGTERM, and a rank must then end without finalising MPI under the waiting thread (that
     * crashed every rank: SIGSEGV in PMPI_Iprobe, a JVM crash report each).
     */
    @Test
    void ranksEndedByMpirunWhileInMpiCallsDoNotCrash() throws Exception
    {
        final Path cwd = Path.of("").toAbsolutePath();
        final List<String> reportsBefore = crashReports(cwd);
        final MpiRun.Result result = run(List.of("--timeout", "6"), "stall", "receive");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("The user-provided time limit for job execution has been reached"),
            result.output());
        assertFalse(result.output().contains("SIGSEGV"), result.output());
        assertFalse(result.output().contains("A fatal error has been detected by the Java Runtime Environment"),
            result.output());
        assertEquals(reportsBefore, crashReports(cwd), "JVM crash reports written: " + result.output());
        assertFalse(result.output().contains(" passed "), result.output());
    }

    private static List<String> crashReports(final Path dir) throws IOException
    {
        return MpiRun.entries(dir).stream().filter(name -> name.startsWith("hs_err_pid")).toList();
    }

    private static MpiRun.Result run(final String... args) throws Exception
    {
        return run(List.of(), args);
    }

    /**
     * Runs the job with its segment directory in a fresh folder of {@code /dev/shm}, checks the folder is empty
     * afterwards and removes it.
     */
    private static MpiRun.Result run(final List<String> mpirunOptions, final String... args) throws Exception
    {
        final Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-mpi-test-");
        try
        {
            final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
            jvm.add("-Dpshmem.shmDir=" + shm);
            final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
                Integer.toString(RANKS)));
            command.addAll(mpirunOptions);
            command.addAll(MpiRun.java(MpiDepartureJobMain.class, jvm, args));
            final MpiRun.Result result = MpiRun.run(command, SAFETY_NET_SECONDS, "departure-" + args[0]);
            for (int rank = 0; rank < RANKS; rank++)
            {
                assertTrue(result.output().contains("rank " + rank + " ready\n"), result.output());
            }
            assertEquals(List.of(), MpiRun.entries(shm), "left in the segment directory: " + result.output());
            return result;
        }
        finally
        {
            MpiRun.removeFolder(shm);
        }
    }
}
