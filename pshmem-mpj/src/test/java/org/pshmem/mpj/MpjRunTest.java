package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pshmem.examples.ReadmeExample;

/**
 * README's {@code mpjrun.sh} path: MPJ Express's own starter with the JVM options README lists (read from
 * README) and {@link GuardedRank} before the program, without pshmem's launcher, so without a job folder or
 * watchdog. The Debian package's {@code mpjrun} is broken as installed (its jars' manifests name libraries
 * beside them that are not there), so the test runs what upstream's {@code mpjrun.sh} runs,
 * {@code java -jar $MPJ_HOME/lib/starter.jar ARGS}, with the working MPJ home {@link MpjInstallation} prepares,
 * a {@code machines} file in the working folder and a daemon started as README says for a cluster, as a user of
 * an upstream installation would.
 */
class MpjRunTest
{
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static Path home;
    private static Path work;
    private static Process daemon;
    private Path shmDir;
    private final List<Process> started = new ArrayList<>();
    private final List<Long> ranks = new ArrayList<>();

    /**
     * The daemon as README says for a cluster ({@code java -cp $MPJ_HOME/lib/daemon.jar runtime.daemon.MPJDaemon
     * 40055}), with SIGINT at its default, so its ranks have it too, whatever this JVM inherited (a background
     * job of a non-interactive shell ignores SIGINT, and a JVM keeps it ignored).
     */
    @BeforeAll
    static void mpjHomeMachinesAndDaemon() throws Exception
    {
        home = MpjInstallation.home(Path.of(System.getProperty("user.home"), ".cache", "pshmem"));
        work = Files.createTempDirectory("pshmem-mpjrun-");
        Files.writeString(work.resolve("machines"), "localhost\n");
        assertTrue(!DaemonPort.listening(), "an MPJ daemon already listens on port " + MpjMain.DAEMON_PORT);
        final ProcessBuilder builder = new ProcessBuilder("env", "--default-signal=INT", JAVA.toString(), "-cp",
            home.resolve("lib/daemon.jar").toString(), "runtime.daemon.MPJDaemon", Integer.toString(MpjMain.DAEMON_PORT))
            .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile());
        builder.environment().put("MPJ_HOME", home.toString());
        builder.environment().put("PATH", JAVA.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        daemon = builder.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!DaemonPort.listening() && daemon.isAlive() && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertTrue(DaemonPort.listening(), "the daemon did not start: " + Files.readString(work.resolve("daemon.log")));
    }

    @AfterAll
    static void stopDaemon() throws Exception
    {
        if (null != daemon)
        {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(work);
    }

    @BeforeEach
    void privateSegmentDirectory() throws IOException
    {
        shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-mpjrun-");
    }

    @AfterEach
    void endWhatIsLeft() throws IOException
    {
        started.forEach(process -> process.descendants().forEach(ProcessHandle::destroyForcibly));
        started.forEach(Process::destroyForcibly);
        ranks.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        deleteTree(shmDir);
    }

    /** @return the options README gives {@code mpjrun.sh} between the device and {@code -cp}. */
    static List<String> readmeOptions() throws IOException
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int start = readme.indexOf("$MPJ_HOME/bin/mpjrun.sh -np 4 -dev niodev");
        assertTrue(start >= 0, "README shows no mpjrun.sh command line");
        final String command = readme.substring(start, readme.indexOf("```", start)).replace("\\\n", " ");
        final List<String> words = Arrays.asList(command.trim().split("\\s+"));
        final List<String> options = words.subList(words.indexOf("niodev") + 1, words.indexOf("-cp"));
        assertTrue(options.size() >= 2, "options read from README: " + options);
        return options;
    }

    /** A job as {@code mpjrun.sh -np N -dev niodev OPTIONS -cp CP org.pshmem.mpj.GuardedRank main args} runs it. */
    private Job start(final int np, final String main, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar",
            home.resolve("lib/starter.jar").toString(), "-np", Integer.toString(np), "-dev", "niodev"));
        command.addAll(readmeOptions());
        if (Runtime.version().feature() >= 24)
        {
            command.add("--sun-misc-unsafe-memory-access=allow"); // README: "On Java 24 and later add"
        }
        command.add("-D" + MpjSession.SHM_DIR_PROPERTY + "=" + shmDir);
        command.addAll(List.of("-cp", MpjJobs.rankClassPath(), GuardedRank.class.getName(), main));
        command.addAll(Arrays.asList(args));
        final Path log = Files.createTempFile(work, "job", ".log");
        final ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("MPJ_HOME", home.toString());
        builder.environment().put("PATH", JAVA.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        final Process process = builder.start();
        started.add(process);
        return new Job(process, log);
    }

    /** MPJRun and the file its output goes to. */
    private record Job(Process process, Path log)
    {
        String output()
        {
            try
            {
                return Files.readString(log, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return "(cannot read " + log + ": " + ex + ")";
            }
        }

        /** @return by rank, the words after {@code prefix <rank>} of the lines that start so, once there are n. */
        Map<Integer, String[]> await(final String prefix, final int n) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && process.isAlive())
            {
                final Map<Integer, String[]> lines = new LinkedHashMap<>();
                output().lines().filter(line -> line.startsWith(prefix + " ")).map(line -> line.split(" "))
                    .forEach(words -> lines.put(Integer.parseInt(words[1]), words));
                if (lines.size() == n)
                {
                    return lines;
                }
                Thread.sleep(20);
            }
            return fail("not every rank printed " + prefix + ": " + output());
        }

        int awaitEnd() throws InterruptedException
        {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "MPJRun did not end: " + output());
            return process.exitValue();
        }
    }

    private List<String> segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(shmDir))
        {
            return files.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void theReadmeExampleRunsUnderMpjRunWithGuardedRank() throws Exception
    {
        final Job job = start(4, ReadmeExample.class.getName());
        assertEquals(0, job.awaitEnd(), job.output());
        final String out = job.output();
        assertTrue(out.contains("replicated on 1 nodes, each with 4 processes (4 total)"), out);
        assertTrue(out.contains("rank 3: shm[2, 3] = 5.0"), out);
        assertEquals(List.of(), segmentFiles(), out);
    }

    /**
     * Every rank fails while the name of its node memory exists, as inside creation: with no launcher to clean
     * up after it, GuardedRank must remove the names before the rank ends.
     */
    @Test
    void ranksThatFailRemoveTheSegmentNamesTheyHold() throws Exception
    {
        final Path go = work.resolve("go-" + UUID.randomUUID());
        final Job job = start(3, LeakProbe.class.getName(), "holdThenThrow", go.toString());
        final Map<Integer, String[]> held = job.await("RUNNING", 3);
        held.values().forEach(words -> ranks.add(Long.parseLong(words[2])));
        assertEquals(held.values().stream().map(words -> words[3]).sorted().collect(Collectors.toList()), segmentFiles(),
            "before the failure, the names the ranks hold exist");
        Files.createFile(go);
        job.awaitEnd();
        final String out = job.output();
        for (int rank = 0; rank < 3; rank++)
        {
            assertTrue(out.contains("pshmem: rank " + rank + " failed: java.lang.IllegalStateException"), out);
        }
        assertEquals(List.of(), segmentFiles(), out);
    }

    /** SIGTERM or SIGINT to a rank holding a segment name: with no launcher, its shutdown hook removes the name. */
    @ParameterizedTest(name = "kill -{0} of a rank removes the segment names it holds")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalToARankRemovesTheSegmentNamesItHolds(final String signal) throws Exception
    {
        final Job job = start(3, ChurnProbe.class.getName(), "hold", "mpjrun-" + UUID.randomUUID());
        final Map<Integer, String[]> running = job.await("RUNNING", 3);
        running.values().forEach(words -> ranks.add(Long.parseLong(words[2])));
        final String name = running.get(1)[3];
        assertTrue(segmentFiles().contains(name), "before the signal, the name rank 1 holds exists: " + segmentFiles());
        final ProcessHandle rank = ProcessHandle.of(Long.parseLong(running.get(1)[2])).orElseThrow();
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(rank.pid())).start().waitFor());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rank.isAlive() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertTrue(!rank.isAlive(), "rank 1 did not end on SIG" + signal + ": " + job.output());
        final List<String> left = segmentFiles();
        assertTrue(!left.contains(name), "the name rank 1 held outlived it: " + left + "\n" + job.output());
        assertEquals(2, left.size(), "the other ranks, which run on, still hold theirs: " + left);
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
