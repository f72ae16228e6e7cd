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
import java.util.Set;
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
 * (the seed is in the failure message). "No process behind" is checked twice: every rank and MPJRun process
 * seen before the kill is dead, and a search of all processes by the job's token, shown to find the ranks
 * before the kill, finds nothing after it. A launcher that ends by itself or on a signal removes its launch folder
 * in the temporary folder ({@link LaunchFolder}); one killed outright leaves it, and the next launcher removes it.
 */
class KillTest
{
    private static final int RANKS = 3;
    /** Jobs killed whole by {@link #killingEveryProcessOfTheJobAtOnceLeavesNothing()} (issue 14 asks for 20). */
    private static final int GROUP_KILL_ROUNDS = 10;
    /** The pause between a killed-whole job's start and its kill: from this many ms ... */
    private static final int GROUP_KILL_MIN_PAUSE_MS = 50;
    /** ... to this many. */
    private static final int GROUP_KILL_MAX_PAUSE_MS = 400;
    /**
     * JVM options of every job's launcher and ranks: only the quick compiler and the serial collector, so that
     * on a small machine a job starts sooner (about 1.9 s instead of 2.6 s to the RUNNING lines on 2 cores).
     */
    private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** One launched job, its output and the pids its ranks reported. */
    private static final class Job implements AutoCloseable
    {
        final String token = "kill-" + UUID.randomUUID();
        final Path shmDir;
        /** The launcher's temporary folder ({@code java.io.tmpdir}), where it makes its launch folder. */
        final Path launchTmp;
        /** Whether {@link #close()} removes {@link #launchTmp} (one the job made itself). */
        private final boolean ownTmp;
        final Process launcher;
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, Long> pids = new ConcurrentHashMap<>();
        /** In the {@code hold} phase: the segment file whose name each rank holds. */
        final Map<Integer, String> held = new ConcurrentHashMap<>();
        /** The job's processes (ranks, MPJRun) found by the token once every rank runs: each must end. */
        final List<ProcessHandle> started = new ArrayList<>();
        volatile String seed = "no random pause yet";

        /** Runs {@link ChurnProbe} in {@code phase}; {@code hold} and {@code fail} on 2 nodes, so names exist on both. */
        Job(final String phase) throws IOException
        {
            this(phase, false, null);
        }

        /**
         * @param ownGroup  start the launcher in a process group of its own (setsid), which its ranks inherit, so
         *                  {@code kill -9 -PGID} ends every process of the job at once.
         * @param launchTmp the launcher's temporary folder, or null for a fresh one of this job's.
         */
        Job(final String phase, final boolean ownGroup, final Path launchTmp) throws IOException
        {
            ownTmp = null == launchTmp;
            this.launchTmp = ownTmp ? Files.createTempDirectory("pshmem-killtest-tmp-") : launchTmp;
            shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-killtest-");
            final String cp = MpjJobs.rankClassPath();
            // SIGINT at its default in the launcher, and so in the daemon and ranks it starts, whatever this JVM
            // inherited: a background job of a non-interactive shell ignores it, and a JVM keeps it ignored.
            // setsid execs in place (this JVM's child leads no group), so the launcher's pid is the group's id.
            final List<String> command = new ArrayList<>(ownGroup ? List.of("setsid") : List.of());
            command.addAll(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(QUICK_START);
            command.add("-Djava.io.tmpdir=" + this.launchTmp);
            command.addAll(List.of("-cp", cp, MpjLauncher.class.getName(),
                "-np", Integer.toString(RANKS), "--nodes", phase.matches("hold|fail") ? "2" : "1",
                "--shm-dir", shmDir.toString(), "--timeout", "120", "-cp", cp, ChurnProbe.class.getName(), phase, token));
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            final String given = builder.environment().getOrDefault("PSHMEM_JAVA_OPTS", "");
            builder.environment().put("PSHMEM_JAVA_OPTS", (given + " " + String.join(" ", QUICK_START)).trim());
            launcher = builder.start();
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
                            if (words.length > 3)
                            {
                                held.put(Integer.parseInt(words[1]), words[3]);
                            }
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

        /**
         * Waits for every rank to report its pid, then takes the job's processes as the token search finds them:
         * the positive control that the search used after the kill can see a rank at all.
         */
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
            started.addAll(leftovers());
            final Set<Long> found = started.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            for (final Map.Entry<Integer, Long> rank : pids.entrySet())
            {
                assertTrue(found.contains(rank.getValue()), "before the kill, the search by token finds rank " +
                    rank.getKey() + " (pid " + rank.getValue() + ") among " + found + ": " + output());
            }
            assertTrue(found.size() > RANKS, "before the kill, the search by token finds MPJRun too: " + found);
            for (final Map.Entry<Integer, String> name : held.entrySet())
            {
                assertTrue(Files.exists(shmDir.resolve(name.getValue())), "before the kill, the segment name rank " +
                    name.getKey() + " holds exists: " + name.getValue() + "\n" + output());
            }
        }

        /** Sleeps a random 50 to 650 ms; the seed goes into every failure message. */
        void randomPause(final String what) throws InterruptedException
        {
            final long value = System.nanoTime();
            seed = "KillTest " + what + ": seed " + value;
            System.out.println(seed);
            Thread.sleep(50 + new Random(value).nextInt(600));
        }

        String output()
        {
            synchronized (lines)
            {
                return seed + "\n" + String.join("\n", lines);
            }
        }

        /**
         * Processes of this job still alive (ranks, MPJRun): their command line holds the token, placed after
         * the whole class path. Read from {@code /proc/PID/cmdline} in full: {@code ProcessHandle.Info} cuts it
         * at 4096 bytes, before the token.
         */
        List<ProcessHandle> leftovers()
        {
            return ProcessHandle.allProcesses().filter(p -> commandLine(p.pid()).contains(token))
                .collect(Collectors.toList());
        }

        /**
         * Waits for every process seen before the kill to end and the search to find none; then asserts both. A
         * zombie has ended (its memory and descriptors are gone): an orphan waits as one until an init that may
         * reap slowly (over a second in some containers) collects it.
         */
        void assertNoProcessLeft() throws InterruptedException, IOException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!allEnded() || !leftovers().isEmpty()) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            final String out = output();
            for (final ProcessHandle process : started)
            {
                assertTrue(ended(process), "process " + process.pid() + " of the job is still alive: " +
                    commandLine(process.pid()).replace('\0', ' ') + "\n" + out);
            }
            assertEquals(List.of(), leftovers(), out);
        }

        private boolean allEnded() throws IOException
        {
            for (final ProcessHandle process : started)
            {
                if (!ended(process))
                {
                    return false;
                }
            }
            return true;
        }

        /** Waits at most 30 s for the segment directory to be empty; then asserts it is. */
        void awaitNoSegmentFile() throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!segmentFiles().isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertEquals(List.of(), segmentFiles(), "names left while the launcher was frozen: " + output());
        }

        List<String> segmentFiles() throws IOException
        {
            try (Stream<Path> files = Files.list(shmDir))
            {
                return files.map(path -> path.getFileName().toString()).collect(Collectors.toList());
            }
        }

        /**
         * Mappings of a file of this job's segment directory in any process this user can see, as
         * {@code pid: line of /proc/PID/maps}: a file made without a name shows there as
         * {@code DIR/#INODE (deleted)}, a removed one as {@code DIR/NAME (deleted)}.
         */
        List<String> segmentMappings()
        {
            final String prefix = shmDir + "/";
            final List<String> found = new ArrayList<>();
            ProcessHandle.allProcesses().forEach(process ->
            {
                try (Stream<String> maps = Files.lines(Path.of("/proc", Long.toString(process.pid()), "maps")))
                {
                    maps.filter(line -> line.contains(prefix)).forEach(line -> found.add(process.pid() + ": " + line));
                }
                catch (final IOException | java.io.UncheckedIOException ex)
                {
                    // Gone, or another user's.
                }
            });
            return found;
        }

        /** @return the launch folders in the launcher's temporary folder ({@link LaunchFolder}). */
        List<String> launchFolders() throws IOException
        {
            try (Stream<Path> files = Files.list(launchTmp))
            {
                return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith(LaunchFolder.PREFIX)).sorted().collect(Collectors.toList());
            }
        }

        /** A launcher that ended by itself, or on SIGTERM or SIGINT, removed its launch folder. */
        void assertLaunchFolderRemoved() throws IOException
        {
            assertEquals(List.of(), launchFolders(), "the launcher's folder outlived it: " + output());
        }

        /**
         * A launcher killed outright left its launch folder, and a later launcher's sweep ({@link LaunchFolder}),
         * run here once its job's processes are gone, removes it.
         */
        void assertKilledLaunchersFolderSwept() throws IOException
        {
            final List<String> left = launchFolders();
            assertEquals(1, left.size(), "the killed launcher's folder: " + left + "\n" + output());
            assertTrue(left.get(0).startsWith(LaunchFolder.PREFIX + launcher.pid() + "-"), left.get(0));
            assertEquals(List.of(launchTmp.resolve(left.get(0))), LaunchFolder.removeStale(launchTmp), output());
            assertEquals(List.of(), launchFolders(), output());
        }

        /** Freezes the launcher (SIGSTOP): what happens until {@link #resume()} is the ranks' doing alone. */
        void freezeLauncher() throws Exception
        {
            kill("STOP", launcher.pid());
        }

        void resume() throws Exception
        {
            kill("CONT", launcher.pid());
        }

        @Override
        public void close() throws IOException
        {
            // With its tree: a launcher killed here leaves the daemon it started, which would serve later jobs.
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
            leftovers().forEach(ProcessHandle::destroyForcibly);
            try (Stream<Path> files = Files.list(shmDir))
            {
                files.forEach(path -> path.toFile().delete());
            }
            Files.deleteIfExists(shmDir);
            if (ownTmp)
            {
                removeTree(launchTmp);
            }
        }
    }

    private static void kill(final String signal, final long pid) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    /** @return the whole command line of a process, NUL-separated; empty when it is gone. */
    static String commandLine(final long pid)
    {
        try
        {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    @ParameterizedTest(name = "kill -9 of one rank while it does: {0}")
    @ValueSource(strings = {"create", "set", "lock", "batch", "idle", "hold"})
    void killingOneRankEndsTheJobNamingItAndLeavesNothing(final String phase) throws Exception
    {
        try (Job job = new Job(phase))
        {
            job.awaitRunning();
            job.randomPause(phase);
            kill("9", job.pids.get(1));
            assertJobEndedByRank1(job);
        }
    }

    /** In the {@code hold} phase only the launcher can remove the names: no rank lives to do it. */
    @ParameterizedTest(name = "kill -9 of every rank while they do: {0}")
    @ValueSource(strings = {"create", "hold"})
    void killingEveryRankLeavesNothing(final String phase) throws Exception
    {
        try (Job job = new Job(phase))
        {
            job.awaitRunning();
            job.randomPause("every rank, " + phase);
            for (final long pid : job.pids.values())
            {
                kill("9", pid);
            }
            assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
            final String out = job.output();
            assertEquals(1, job.launcher.exitValue(), out);
            assertTrue(out.contains("ended without finishing"), out);
            job.assertNoProcessLeft();
            assertEquals(List.of(), job.segmentFiles(), out);
            job.assertLaunchFolderRemoved();
        }
    }

    /**
     * {@code kill -9} of every process of the job at once (the launcher's process group: the launcher and all it
     * started), at pseudo-random moments of a job that creates, sets and frees small arrays and arrays over 2 MiB
     * (ChurnProbe's {@code churn}), leaves no file in the job's own segment directory and no mapping of one in any
     * process: segments are unnamed, so no rank or launcher needs to live to remove anything. Each round is a new
     * job, killed 50 to 400 ms after every rank runs. The seed is printed with each round's pause;
     * {@code -Dpshmem.killSeed=SEED} replays every round, and with {@code -Dpshmem.killRound=N} round N alone.
     */
    @Test
    void killingEveryProcessOfTheJobAtOnceLeavesNothing() throws Exception
    {
        final long seed = Long.getLong("pshmem.killSeed", System.nanoTime());
        final Random random = new Random(seed);
        final int[] pauses = new int[GROUP_KILL_ROUNDS];
        for (int round = 0; round < GROUP_KILL_ROUNDS; round++)
        {
            pauses[round] = GROUP_KILL_MIN_PAUSE_MS +
                random.nextInt(GROUP_KILL_MAX_PAUSE_MS - GROUP_KILL_MIN_PAUSE_MS + 1);
        }
        // One temporary folder for every round's launcher: each removes the folder the round before left.
        final Path launchTmp = Files.createTempDirectory("pshmem-killtest-tmp-");
        try
        {
            killEveryProcessOfJobs(seed, pauses, launchTmp);
        }
        finally
        {
            removeTree(launchTmp);
        }
    }

    private static void killEveryProcessOfJobs(final long seed, final int[] pauses, final Path launchTmp)
        throws Exception
    {
        final Integer only = Integer.getInteger("pshmem.killRound");
        for (int round = 0; round < GROUP_KILL_ROUNDS; round++)
        {
            if (null != only && only != round)
            {
                continue;
            }
            try (Job job = new Job("churn", true, launchTmp))
            {
                final long start = System.nanoTime();
                job.awaitRunning();
                final long startMillis = (System.nanoTime() - start) / 1_000_000;
                final List<String> folders = job.launchFolders();
                assertEquals(1, folders.size(), "the running launcher's folder only: " + folders);
                assertTrue(folders.get(0).startsWith(LaunchFolder.PREFIX + job.launcher.pid() + "-"), folders.get(0));
                assertTrue(!job.segmentMappings().isEmpty(), "before the kill, the search finds the ranks' " +
                    "mappings of the segment directory: " + job.output());
                job.seed = "KillTest every process at once: seed " + seed + ", round " + round + " (replay: " +
                    "-Dpshmem.killSeed=" + seed + " -Dpshmem.killRound=" + round + "), kill after " + pauses[round] +
                    " ms of churn (ranks running " + startMillis + " ms after the launch)";
                System.out.println(job.seed);
                Thread.sleep(pauses[round]);
                assertTrue(job.launcher.isAlive(), "the job ended before the kill: " + job.output());
                assertEquals(0, new ProcessBuilder("kill", "-9", "--", "-" + job.launcher.pid()).start().waitFor());
                assertTrue(job.launcher.waitFor(30, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
                job.assertNoProcessLeft();
                assertEquals(List.of(), job.segmentFiles(), job.output());
                assertEquals(List.of(), job.segmentMappings(), job.output());
                assertEquals(1, job.launchFolders().size(), "kill -9 left the launch folder: " + job.output());
            }
        }
        // The last round's folder: what the next launcher here would remove.
        assertEquals(1, LaunchFolder.removeStale(launchTmp).size());
        try (Stream<Path> left = Files.list(launchTmp))
        {
            assertEquals(List.of(), left.toList());
        }
    }

    /** Removes a folder of the test's and everything in it, also after a failed assertion. */
    private static void removeTree(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** In the {@code hold} phase only the ranks can remove the names, when they find the launcher gone. */
    @ParameterizedTest(name = "kill -9 of the launcher while the ranks do: {0}")
    @ValueSource(strings = {"create", "set", "lock", "idle", "hold"})
    void killingTheLauncherEndsTheRanksAndLeavesNothing(final String phase) throws Exception
    {
        try (Job job = new Job(phase))
        {
            job.awaitRunning();
            final List<ProcessHandle> launcherTree = job.launcher.descendants().collect(Collectors.toList());
            try
            {
                job.randomPause("launcher, " + phase);
                kill("9", job.launcher.pid());
                job.assertNoProcessLeft();
                assertEquals(List.of(), job.segmentFiles(), job.output());
                job.assertKilledLaunchersFolderSwept();
            }
            finally
            {
                // What the launcher started (its ranks) is ended here too when an assertion above failed.
                launcherTree.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Every rank, on both nodes, fails while the name of its node memory exists, as inside creation: each removes
     * its names itself as it fails. The launcher is frozen meanwhile, so the names cannot be its doing.
     */
    @Test
    void ranksThatFailWhileHoldingNamesRemoveThemThemselves() throws Exception
    {
        try (Job job = new Job("fail"))
        {
            final Path go = ChurnProbe.goFile(job.token);
            try
            {
                job.awaitRunning();
                job.freezeLauncher();
                Files.createFile(go);
                job.awaitNoSegmentFile();
                job.resume();
                assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
                final String out = job.output();
                assertEquals(1, job.launcher.exitValue(), out);
                assertTrue(out.contains("pshmem: job aborted: ranks 0, 1, 2 failed"), out);
                job.assertNoProcessLeft();
                job.assertLaunchFolderRemoved();
            }
            finally
            {
                Files.deleteIfExists(go);
            }
        }
    }

    /**
     * SIGTERM or SIGINT to a rank (not the launcher) while every rank holds a segment name: the rank removes its
     * names itself as it ends (the launcher is frozen until then), and the job ends as for a killed rank.
     */
    @ParameterizedTest(name = "kill -{0} of one rank removes its names and ends the job naming it")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalToOneRankRemovesItsNamesAndEndsTheJobNamingIt(final String signal) throws Exception
    {
        try (Job job = new Job("hold"))
        {
            job.awaitRunning();
            final ProcessHandle rank = ProcessHandle.of(job.pids.get(1)).orElseThrow();
            job.freezeLauncher();
            kill(signal, rank.pid());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!ended(rank) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertTrue(ended(rank), "rank 1 did not end on SIG" + signal + ": " + job.output());
            assertTrue(!job.segmentFiles().contains(job.held.get(1)), "the name rank 1 held outlived it: " +
                job.segmentFiles() + "\n" + job.output());
            job.resume();
            assertJobEndedByRank1(job);
        }
    }

    /**
     * The launcher ends with status 1 saying rank 1 ended without finishing; each survivor (ranks 0 and 2) says
     * itself that rank 1 is gone (from a wait, or from its watchdog); no process or segment file is left.
     */
    private static void assertJobEndedByRank1(final Job job) throws Exception
    {
        assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
        final String out = job.output();
        assertEquals(1, job.launcher.exitValue(), out);
        assertTrue(out.contains("rank 1 ended without finishing"), out);
        for (final int survivor : new int[] {0, 2})
        {
            assertTrue(out.lines().anyMatch(line -> line.startsWith("pshmem: rank " + survivor) &&
                line.contains("rank 1 ")), "rank " + survivor + " did not name rank 1:\n" + out);
        }
        job.assertNoProcessLeft();
        assertEquals(List.of(), job.segmentFiles(), out);
        job.assertLaunchFolderRemoved();
    }

    /**
     * Whether a process has ended: gone, or a zombie. A rank the launcher started itself stays a zombie while
     * the launcher, its parent, is frozen and cannot reap it.
     */
    private static boolean ended(final ProcessHandle process) throws IOException
    {
        if (!process.isAlive())
        {
            return true;
        }
        final Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        try
        {
            final String text = Files.readString(stat);
            return text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return true;
        }
    }

    @ParameterizedTest(name = "kill -{0} of the launcher ends the job cleanly")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalToTheLauncherEndsTheJobCleanly(final String signal) throws Exception
    {
        try (Job job = new Job("set"))
        {
            job.awaitRunning();
            job.randomPause(signal);
            kill(signal, job.launcher.pid());
            assertTrue(job.launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + job.output());
            final String out = job.output();
            assertEquals(signal.equals("TERM") ? 143 : 130, job.launcher.exitValue(), out);
            job.assertNoProcessLeft();
            assertEquals(List.of(), job.segmentFiles(), out);
            job.assertLaunchFolderRemoved();
        }
    }
}
