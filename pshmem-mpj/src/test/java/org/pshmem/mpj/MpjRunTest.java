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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * README's {@code mpjrun.sh} section, its commands run by bash as written: the MPJ home of
 * {@code ./pshmem mpj-home} (with our {@code bin/mpjrun.sh}), the {@code machines} file, MPJ's daemon, the class
 * path, the JVM options from {@link JvmOptions} and {@code $MPJ_HOME/bin/mpjrun.sh} with {@link GuardedRank}
 * before the program; without pshmem's launcher, so without a job folder or watchdog. Only what this test
 * cannot take from the script while its module is being built is filled in: the output of
 * {@code ./pshmem mpj-home} and {@code ./pshmem classpath} (both would build first), {@code app.jar} and
 * {@code app.Main}, and a private segment folder.
 */
class MpjRunTest
{
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final Pattern COMMENT = Pattern.compile("\\s+#\\s.*$");
    private static List<String> steps;
    private static Path home;
    private static Path work;
    private static Process daemon;
    private Path shmDir;
    private final List<Process> started = new ArrayList<>();
    private final List<Long> ranks = new ArrayList<>();

    /** @return the commands of README's {@code mpjrun.sh} section, comments removed, in order. */
    static List<String> readmeSteps() throws IOException
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int start = readme.indexOf("```\nexport \"$(./pshmem mpj-home)\"");
        assertTrue(start >= 0, "README's mpjrun.sh section has no block starting with export \"$(./pshmem mpj-home)\"");
        final List<String> lines = readme.substring(start + 4, readme.indexOf("```", start + 4)).lines()
            .map(line -> COMMENT.matcher(line).replaceFirst("").trim()).filter(line -> !line.isEmpty())
            .collect(Collectors.toList());
        assertEquals(7, lines.size(), "mpj home, machines, daemon, class path, JVM options, mpjrun.sh, kill: " + lines);
        assertTrue(lines.get(2).endsWith(" &") && lines.get(2).contains("runtime.daemon.MPJDaemon"), lines.get(2));
        assertTrue(lines.get(5).startsWith("\"$MPJ_HOME/bin/mpjrun.sh\" -np 4 -dev niodev $JVM_OPTIONS ") &&
            lines.get(5).endsWith(" org.pshmem.mpj.GuardedRank app.Main args..."), lines.get(5));
        assertEquals("kill %1", lines.get(6));
        return lines;
    }

    /** A README step as bash runs it here: the script's output filled in, since it would build the module under test. */
    private static String filled(final String step)
    {
        return step.replace("$(./pshmem mpj-home)", "MPJ_HOME=" + home)
            .replace("$(./pshmem classpath)", MpjJobs.rankClassPath());
    }

    /** bash in the working folder, with the ranks' Java first on the PATH, as README's steps assume. */
    private static ProcessBuilder bash(final String script)
    {
        final ProcessBuilder builder = new ProcessBuilder("env", "--default-signal=INT", "bash", "-c",
            "set -eu\n" + script).directory(work.toFile());
        builder.environment().remove("MPJ_HOME");
        builder.environment().put("PATH", JAVA.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return builder;
    }

    /**
     * README's first three steps: the MPJ home, the machines file and the daemon, the last with SIGINT at its
     * default, so its ranks have it too, whatever this JVM inherited (a background job of a non-interactive shell
     * ignores SIGINT, and a JVM keeps it ignored). The daemon runs until the class is done (README's last step).
     */
    @BeforeAll
    static void mpjHomeMachinesAndDaemon() throws Exception
    {
        steps = readmeSteps();
        // What ./pshmem mpj-home runs and prints, MPJ_HOME=...
        home = MpjInstallation.home(MpjInstallation.cacheDir());
        assertTrue(Files.isExecutable(home.resolve("bin/mpjrun.sh")), "no bin/mpjrun.sh in " + home);
        work = Files.createTempDirectory("pshmem-mpjrun-");
        assertTrue(!DaemonPort.listening(), "an MPJ daemon already listens on port " + MpjMain.DAEMON_PORT);
        final String daemonStep = steps.get(2).substring(0, steps.get(2).length() - 2);
        daemon = bash(filled(steps.get(0)) + "\n" + filled(steps.get(1)) + "\nexec " + daemonStep)
            .redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!DaemonPort.listening() && daemon.isAlive() && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertTrue(DaemonPort.listening(), "the daemon did not start: " + Files.readString(work.resolve("daemon.log")));
        assertEquals("localhost\n", Files.readString(work.resolve("machines")));
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

    /**
     * A job as README's steps run it: the class path, the JVM options, and {@code $MPJ_HOME/bin/mpjrun.sh} with
     * N ranks, a private segment folder added to the JVM options, and this test's program and arguments (its
     * classes are on the class path already, in place of {@code app.jar}).
     */
    private Job start(final int np, final String main, final String... args) throws IOException
    {
        final String mpjrun = steps.get(5).replace("-np 4", "-np " + np)
            .replace("$JVM_OPTIONS", "$JVM_OPTIONS -D" + MpjSession.SHM_DIR_PROPERTY + "=" + shmDir)
            .replace("app.Main args...", main + " " + String.join(" ", args));
        final String script = filled(steps.get(0)) + "\n" + filled(steps.get(3)).replace(":app.jar", "") + "\n" +
            filled(steps.get(4)) + "\nexec " + mpjrun;
        final Path log = Files.createTempFile(work, "job", ".log");
        final Process process = bash(script).redirectErrorStream(true).redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
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
        // No launcher prints a summary here: each rank prints its own stack trace.
        assertEquals(3, out.split(java.util.regex.Pattern.quote("\tat org.pshmem.mpj.GuardedRank.main("), -1).length - 1,
            out);
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
