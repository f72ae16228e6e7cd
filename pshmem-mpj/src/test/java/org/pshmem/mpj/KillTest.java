package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Killing ranks or the launcher at any moment leaves nothing of ours in the segment directory and no process
 * behind, and the survivors report the rank at fault. Each case runs {@link ChurnProbe} on 3 ranks under
 * {@link MpjLauncher} in a separate JVM, with a private segment directory, and kills at a random moment
 * (the seed is in the failure message).
 */
class KillTest
{
    private static final int RANKS = 3;

    /** One launched job, its output and the pids its ranks reported. */
    private static final class Job implements AutoCloseable
    {
        final String token = "kill-" + UUID.randomUUID();
        final Path shmDir;
        final Process launcher;
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, Long> pids = new ConcurrentHashMap<>();

        Job(final String phase) throws IOException
        {
            shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-killtest-");
            final String cp = MpjJobs.rankClassPath();
            launcher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                MpjLauncher.class.getName(), "-np", Integer.toString(RANKS), "--shm-dir", shmDir.toString(),
                "--timeout", "120", "-cp", cp, ChurnProbe.class.getName(), phase, token)
                .redirectErrorStream(true).start();
            final Thread reader = new Thread(() ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8)))
                {
                    for (String line = in.readLine(); null != line; line = in.readLine())
                    {
                        lines.add(line);
                        if (line.startsWith("RUNNING "))
                        {
                            final String[] words = line.split(" ");
                            pids.put(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                        }
                    }
                }
                catch (final IOException ignored)
                {
                    // The launcher is gone.
                }
            }, "kill-test-output");
            reader.setDaemon(true);
            reader.start();
        }

        void awaitRunning() throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (pids.size() < RANKS)
            {
                if (System.nanoTime() > deadline || !launcher.isAlive())
                {
                    fail("the job did not start its " + RANKS + " ranks: " + output());
                }
                Thread.sleep(20);
            }
        }

        String output()
        {
            synchronized (lines)
            {
                return String.join("\n", lines);
            }
        }

        /** Processes of this job still alive (ranks, MPJRun), found by the token on their command line. */
        List<ProcessHandle> leftovers()
        {
            return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains(token)).orElse(false))
                .collect(Collectors.toList());
        }

        void awaitNoLeftovers() throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!leftovers().isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(100);
            }
        }

        List<String> segmentFiles() throws IOException
        {
            try (Stream<Path> files = Files.list(shmDir))
            {
                return files.map(path -> path.getFileName().toString()).collect(Collectors.toList());
            }
        }

        @Override
        public void close() throws IOException
        {
            launcher.destroyForcibly();
            leftovers().forEach(ProcessHandle::destroyForcibly);
            try (Stream<Path> files = Files.list(shmDir))
            {
                files.forEach(path -> path.toFile().delete());
            }
            Files.deleteIfExists(shmDir);
        }
    }

    private static void kill(final String signal, final long pid) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    private static long randomPause(final String what)
    {
        final long seed = System.nanoTime();
        System.out.println("KillTest " + what + ": seed " + seed);
        return 50 + new Random(seed).nextInt(600);
    }

    @ParameterizedTest(name = "kill -9 of one rank while it does: {0}")
    @ValueSource(strings = {"create", "set", "lock", "batch", "idle"})
    void killingOneRankEndsTheJobNamingItAndLeavesNothing(final String phase) throws Exception
    {
        try (Job job = new Job(phase))
        {
            job.awaitRunning();
            Thread.sleep(randomPause(phase));
            kill("9", job.pids.get(1));
            assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
            final String out = job.output();
            assertEquals(1, job.launcher.exitValue(), out);
            assertTrue(out.contains("rank 1 ended without finishing"), out);
            for (final int survivor : new int[] {0, 2})
            {
                // Each survivor says, itself, that rank 1 is gone (from a wait, or from its watchdog).
                assertTrue(out.lines().anyMatch(line -> line.startsWith("pshmem: rank " + survivor) &&
                    line.contains("rank 1 ")), "rank " + survivor + " did not name rank 1:\n" + out);
            }
            job.awaitNoLeftovers();
            assertEquals(List.of(), job.leftovers(), out);
            assertEquals(List.of(), job.segmentFiles(), out);
        }
    }

    @Test
    void killingEveryRankWhileCreatingLeavesNothing() throws Exception
    {
        try (Job job = new Job("create"))
        {
            job.awaitRunning();
            Thread.sleep(randomPause("every rank"));
            for (final long pid : job.pids.values())
            {
                kill("9", pid);
            }
            assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
            final String out = job.output();
            assertEquals(1, job.launcher.exitValue(), out);
            assertTrue(out.contains("ended without finishing"), out);
            job.awaitNoLeftovers();
            assertEquals(List.of(), job.leftovers(), out);
            assertEquals(List.of(), job.segmentFiles(), out);
        }
    }

    @ParameterizedTest(name = "kill -9 of the launcher while the ranks do: {0}")
    @ValueSource(strings = {"create", "set", "lock", "idle"})
    void killingTheLauncherEndsTheRanksAndLeavesNothing(final String phase) throws Exception
    {
        try (Job job = new Job(phase))
        {
            job.awaitRunning();
            final List<ProcessHandle> started = job.launcher.descendants().collect(Collectors.toList());
            try
            {
                Thread.sleep(randomPause("launcher, " + phase));
                kill("9", job.launcher.pid());
                job.awaitNoLeftovers();
                final String out = job.output();
                assertEquals(List.of(), job.leftovers(), out);
                assertEquals(List.of(), job.segmentFiles(), out);
            }
            finally
            {
                // What the launcher started (its ranks) is ended here too when an assertion above failed.
                started.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    @ParameterizedTest(name = "kill -{0} of the launcher ends the job cleanly")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalToTheLauncherEndsTheJobCleanly(final String signal) throws Exception
    {
        try (Job job = new Job("set"))
        {
            job.awaitRunning();
            Thread.sleep(randomPause(signal));
            kill(signal, job.launcher.pid());
            assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
            final String out = job.output();
            assertEquals(signal.equals("TERM") ? 143 : 130, job.launcher.exitValue(), out);
            job.awaitNoLeftovers();
            assertEquals(List.of(), job.leftovers(), out);
            assertEquals(List.of(), job.segmentFiles(), out);
        }
    }
}
