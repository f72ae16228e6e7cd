package org.pshmem.mpj;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Our launcher of MPJ Express jobs:
 * {@code MpjLauncher -np N [--device niodev|multicore] [--nodes K | --machines FILE] -cp CLASSPATH MainClass
 * [args...]}. It prepares a working MPJ home, for niodev the {@code machines} file and a local daemon when none
 * runs (stopped again after the job); with {@code --machines} the ranks go to the listed hosts, where MPJ
 * daemons must already run, and the class path and the launcher's temporary folder (the job folder) must be
 * the same paths on every host (a shared file system). It passes the JVM options ranks need
 * ({@link JvmOptions}), and with {@code --nodes K} deals the ranks to K simulated nodes through the node-name
 * setting. Every rank runs under
 * {@link GuardedRank}: when one fails, the job is aborted. MPJ's banner lines are dropped from the output.
 * Exit status: 0 when every rank finished normally; 1 when a rank failed, did not finish, or the
 * {@code --timeout} passed; 2 for bad usage.
 */
public final class MpjLauncher
{
    private static final Pattern BANNER = Pattern.compile(
        "^(MPJ Express \\(.*\\) is started in the .*|Starting process <\\d+> on <.*>|Stopping Process <\\d+> on <.*>)$");

    /** After a rank failed or died: time for the others to report it and end themselves before all are killed. */
    private static final long ABORT_AFTER_NANOS = 3_000_000_000L;

    private MpjLauncher()
    {
    }

    /**
     * @param args {@code -np N [--device niodev|multicore] [--nodes K] -cp CLASSPATH MainClass [args...]}.
     */
    public static void main(final String[] args)
    {
        System.exit(launch(Arrays.asList(args), System.out, System.err));
    }

    /**
     * Runs a job and waits for it; the environment variable {@code PSHMEM_JAVA_OPTS} (options separated by
     * spaces) adds JVM options for every rank.
     *
     * @param args the command line, as for {@link #main(String[])}.
     * @param out  where the ranks' output goes.
     * @param err  where the launcher's own messages go.
     * @return the exit status.
     */
    public static int launch(final List<String> args, final PrintStream out, final PrintStream err)
    {
        final String extra = System.getenv("PSHMEM_JAVA_OPTS");
        return launch(args, null == extra || extra.isBlank() ? List.of() : Arrays.asList(extra.trim().split("\\s+")),
            out, err);
    }

    /**
     * Runs a job and waits for it, with JVM options of the caller's for every rank (such as settings for tests
     * that run the launcher inside their own JVM, whose environment they cannot change).
     *
     * @param args           the command line, as for {@link #main(String[])}.
     * @param rankJvmOptions JVM options added for every rank, after the ones ranks need; {@link #launch(List,
     *                       PrintStream, PrintStream)} takes them from {@code PSHMEM_JAVA_OPTS}.
     * @param out            where the ranks' output goes.
     * @param err            where the launcher's own messages go.
     * @return the exit status.
     */
    static int launch(final List<String> args, final List<String> rankJvmOptions, final PrintStream out,
        final PrintStream err)
    {
        int ranks = 0;
        int nodes = 1;
        String device = "niodev";
        String classPath = ".";
        long timeoutSeconds = 0;
        String shmDir = null;
        Path machines = null;
        int i = 0;
        try
        {
            while (i < args.size() && args.get(i).startsWith("-"))
            {
                final String option = args.get(i);
                if (i + 1 >= args.size())
                {
                    return usage(err, option + " needs a value");
                }
                final String value = args.get(i + 1);
                switch (option)
                {
                    case "-np": ranks = Integer.parseInt(value); break;
                    case "--nodes": nodes = Integer.parseInt(value); break;
                    case "--device": device = value; break;
                    case "--timeout": timeoutSeconds = Long.parseLong(value); break;
                    case "--shm-dir": shmDir = Path.of(value).toAbsolutePath().toString(); break;
                    case "--machines": machines = Path.of(value).toAbsolutePath(); break;
                    case "-cp": case "-classpath": case "--class-path": classPath = value; break;
                    default: return usage(err, "unknown option '" + option + "'");
                }
                i += 2;
            }
        }
        catch (final NumberFormatException ex)
        {
            return usage(err, "-np, --nodes and --timeout need whole numbers: " + ex.getMessage());
        }
        if (i >= args.size())
        {
            return usage(err, "no main class given");
        }
        if (ranks < 1)
        {
            return usage(err, "-np must be at least 1");
        }
        if (nodes < 1 || nodes > ranks)
        {
            return usage(err, "--nodes must be from 1 to the number of ranks (" + ranks + "), not " + nodes);
        }
        if (!device.equals("niodev") && !device.equals("multicore"))
        {
            return usage(err, "--device must be niodev or multicore, not '" + device + "'");
        }
        List<String> hosts = List.of();
        if (null != machines)
        {
            if (!device.equals("niodev") || nodes > 1)
            {
                return usage(err, "--machines runs ranks on the listed hosts with the niodev device; it does not go " +
                    "with --device multicore or --nodes (the hosts are the nodes)");
            }
            try
            {
                hosts = Files.readAllLines(machines).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toList());
            }
            catch (final IOException ex)
            {
                return usage(err, "cannot read the machines file " + machines + ": " + ex);
            }
            if (hosts.isEmpty())
            {
                return usage(err, "the machines file " + machines + " lists no host");
            }
            try
            {
                // MPJRun has the ranks connect back to this host by its name: a loopback address hangs the job.
                final java.net.InetAddress self = java.net.InetAddress.getLocalHost();
                if (self.isLoopbackAddress() && hosts.stream().anyMatch(host -> !host.equals("localhost")))
                {
                    err.println("pshmem mpj launcher: this host's name " + self.getHostName() + " resolves to " +
                        self.getHostAddress() + " (loopback), so ranks on other hosts could not reach the launcher; " +
                        "map it to an address they can reach (/etc/hosts)");
                    return 1;
                }
            }
            catch (final java.net.UnknownHostException ex)
            {
                err.println("pshmem mpj launcher: this host's name does not resolve: " + ex.getMessage());
                return 1;
            }
        }
        try
        {
            return run(new Job(ranks, nodes, device, absolute(classPath), args.subList(i, args.size()), timeoutSeconds,
                shmDir, hosts, List.copyOf(rankJvmOptions)), out, err);
        }
        catch (final IOException | IllegalStateException ex)
        {
            err.println("pshmem mpj launcher: " + ex.getMessage());
            return 1;
        }
    }

    /**
     * @param hosts          where ranks run, each with an MPJ daemon already running; empty for this host alone.
     * @param rankJvmOptions further JVM options for every rank.
     */
    private record Job(int ranks, int nodes, String device, String classPath, List<String> program, long timeoutSeconds,
        String shmDir, List<String> hosts, List<String> rankJvmOptions)
    {
    }

    private static int run(final Job job, final PrintStream out, final PrintStream err) throws IOException
    {
        final Path cache = Path.of(System.getenv().getOrDefault("PSHMEM_CACHE_DIR",
            System.getProperty("user.home") + "/.cache/pshmem"));
        final Path home = MpjInstallation.home(cache);
        final Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        final Path workDir = Files.createTempDirectory("pshmem-mpj-job");
        final Path statusDir = Files.createDirectory(workDir.resolve("status"));
        try
        {
            final boolean thisHostOnly = job.hosts().isEmpty();
            Files.writeString(workDir.resolve("machines"),
                thisHostOnly ? "localhost\n" : String.join("\n", job.hosts()) + "\n");
            try (LocalDaemon daemon = thisHostOnly && job.device().equals("niodev") ?
                LocalDaemon.ensure(home, javaBin, workDir) : null)
            {
                final Process process = start(job, home, javaBin, workDir, statusDir);
                // SIGINT/SIGTERM: end the ranks, remove what they left, and the job's folder and daemon.
                final Thread stopper = new Thread(() ->
                {
                    kill(process, statusDir);
                    removeSegmentsQuietly(statusDir, job.shmDir());
                    if (null != daemon)
                    {
                        daemon.close();
                    }
                    deleteTree(workDir);
                }, "pshmem-launcher-stop");
                Runtime.getRuntime().addShutdownHook(stopper);
                final Thread pump = new Thread(() -> pump(process, out), "pshmem-mpj-output");
                pump.start();
                final int status = supervise(job, process, statusDir, err);
                pump.join(5_000);
                Runtime.getRuntime().removeShutdownHook(stopper);
                return status;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        finally
        {
            deleteTree(workDir);
        }
    }

    private static Process start(
        final Job job, final Path home, final Path javaBin, final Path workDir, final Path statusDir) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-cp",
            home.resolve("lib/starter.jar").toString(), "runtime.starter.MPJRun"));
        command.addAll(JvmOptions.forRanks(Runtime.version().feature()));
        command.add("-D" + GuardedRank.JOB_DIR_PROPERTY + "=" + statusDir);
        command.add("-D" + GuardedRank.LAUNCHER_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        if (null != job.shmDir())
        {
            command.add("-D" + MpjSession.SHM_DIR_PROPERTY + "=" + job.shmDir());
        }
        if (job.nodes() > 1)
        {
            command.add("-D" + NodeNames.PROPERTY + "=" + simulatedNodes(job.ranks(), job.nodes()));
        }
        command.addAll(job.rankJvmOptions());
        command.addAll(List.of("-np", Integer.toString(job.ranks()), "-dev", job.device(), "-cp", job.classPath(),
            GuardedRank.class.getName()));
        command.addAll(job.program());
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true);
        builder.environment().put("MPJ_HOME", home.toString());
        builder.environment().put("PATH", javaBin.getParent() + ":" +
            System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return builder.start();
    }

    /**
     * Waits for the job; aborts it when a rank reports failure or the timeout passes. MPJRun's own status
     * does not tell a failed rank (multicore returns 0), so the ranks' marks decide.
     */
    private static int supervise(final Job job, final Process process, final Path statusDir, final PrintStream err)
        throws InterruptedException, IOException
    {
        final long deadline = job.timeoutSeconds() > 0 ? System.nanoTime() + job.timeoutSeconds() * 1_000_000_000L : 0;
        long abortAt = 0;
        while (!process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS))
        {
            final List<String> gone = abortAt == 0 ? died(statusDir) : List.of();
            if (!gone.isEmpty())
            {
                err.println("pshmem: rank" + (gone.size() > 1 ? "s " : " ") + String.join(", ", gone) +
                    " ended without finishing (killed?); aborting the job");
                abortAt = System.nanoTime() + ABORT_AFTER_NANOS; // the other ranks report it, then end themselves
            }
            if (abortAt == 0 && !marked(statusDir, ".failed").isEmpty())
            {
                abortAt = System.nanoTime() + ABORT_AFTER_NANOS; // the failing rank ends itself after its grace period
            }
            final boolean timedOut = deadline != 0 && System.nanoTime() > deadline;
            if (timedOut || abortAt != 0 && System.nanoTime() > abortAt)
            {
                kill(process, statusDir);
                if (timedOut)
                {
                    err.println("pshmem: the job did not finish within " + job.timeoutSeconds() + " s; aborted");
                    return 1;
                }
                break;
            }
        }
        if (marked(statusDir, ".ok").size() < job.ranks())
        {
            // Under a daemon that was already running, rank JVMs are not MPJRun's children: end them too.
            kill(process, statusDir);
            removeSegmentsOf(statusDir, job.shmDir());
        }
        final List<String> failed = marked(statusDir, ".failed");
        if (!failed.isEmpty())
        {
            err.println("pshmem: job aborted: rank" + (failed.size() > 1 ? "s " : " ") + String.join(", ", failed) +
                " failed (see the output above)");
            return 1;
        }
        final List<String> dead = died(statusDir);
        if (!dead.isEmpty())
        {
            err.println("pshmem: job aborted: rank" + (dead.size() > 1 ? "s " : " ") + String.join(", ", dead) +
                " ended without finishing");
            return 1;
        }
        final List<String> done = marked(statusDir, ".ok");
        if (done.size() < job.ranks())
        {
            err.println("pshmem: only " + done.size() + " of " + job.ranks() + " ranks finished normally");
            return 1;
        }
        return process.exitValue();
    }

    private static void removeSegmentsQuietly(final Path statusDir, final String shmDir)
    {
        try
        {
            removeSegmentsOf(statusDir, shmDir);
        }
        catch (final IOException | RuntimeException ignored)
        {
            // The JVM is ending; ./pshmem shm clean removes what is left.
        }
    }

    private static List<String> marked(final Path statusDir, final String suffix) throws IOException
    {
        try (Stream<Path> files = Files.list(statusDir))
        {
            return files.map(path -> path.getFileName().toString())
                .filter(name -> name.endsWith(suffix))
                .map(name -> name.substring("rank-".length(), name.length() - suffix.length()))
                .sorted(Comparator.comparingInt(Integer::parseInt))
                .collect(Collectors.toList());
        }
    }

    /**
     * Removes segment files whose creator was a rank of this job: a rank killed between creating a segment
     * and every rank mapping it would otherwise leave the file behind.
     */
    private static void removeSegmentsOf(final Path statusDir, final String shmDir) throws IOException
    {
        final java.util.Set<String> pids = new java.util.HashSet<>();
        for (final String rank : marked(statusDir, ".pid"))
        {
            RankProcess.localPid(statusDir.resolve("rank-" + rank + ".pid")).ifPresent(pid -> pids.add(pid.toString()));
        }
        final Path dir = Path.of(null == shmDir ? MpjSession.DEFAULT_SHM_DIR : shmDir);
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(path -> ShmSegment.creatorPid(path.getFileName().toString()).map(pids::contains).orElse(false))
                .forEach(path -> path.toFile().delete());
        }
    }

    /** Ranks whose JVM is gone although they left no outcome: killed, or crashed. */
    private static List<String> died(final Path statusDir) throws IOException
    {
        final List<String> finished = marked(statusDir, ".ok");
        finished.addAll(marked(statusDir, ".failed"));
        finished.addAll(marked(statusDir, ".stopped"));
        final List<String> dead = new ArrayList<>();
        for (final String rank : marked(statusDir, ".pid"))
        {
            if (finished.contains(rank))
            {
                continue;
            }
            // Under the multicore device every rank is the same JVM, which ends only with the job.
            // Looked at again after the pid: the rank may have finished and ended since the listing above.
            if (RankProcess.isGone(statusDir.resolve("rank-" + rank + ".pid")) &&
                !Files.exists(statusDir.resolve("rank-" + rank + ".ok")) &&
                !Files.exists(statusDir.resolve("rank-" + rank + ".failed")) &&
                !Files.exists(statusDir.resolve("rank-" + rank + ".stopped")))
            {
                dead.add(rank);
            }
        }
        return dead;
    }

    /** Ends MPJRun and every rank JVM, which (under an existing daemon) are not its children. */
    private static void kill(final Process process, final Path statusDir)
    {
        try (Stream<Path> files = Files.list(statusDir))
        {
            files.filter(path -> path.getFileName().toString().endsWith(".pid")).forEach(path ->
            {
                // Only ranks of this host: a remote rank ends when MPJRun does, through its daemon.
                RankProcess.localPid(path).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            });
        }
        catch (final IOException ignored)
        {
            // No marks: nothing started.
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void pump(final Process process, final PrintStream out)
    {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                if (!BANNER.matcher(line).matches())
                {
                    out.println(line);
                }
            }
        }
        catch (final IOException ignored)
        {
            // The job ended.
        }
    }

    /**
     * @return node names for world ranks, dealt in blocks as the in-process transport does.
     */
    static String simulatedNodes(final int ranks, final int nodes)
    {
        final StringBuilder names = new StringBuilder();
        for (int r = 0; r < ranks; r++)
        {
            names.append(r > 0 ? "," : "").append("simnode").append(org.pshmem.api.Blocks.of(r, ranks, nodes));
        }
        return names.toString();
    }

    private static String absolute(final String classPath)
    {
        return Arrays.stream(classPath.split(File.pathSeparator))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // A temporary folder left behind is harmless.
        }
    }

    private static int usage(final PrintStream err, final String problem)
    {
        err.println("pshmem mpj launcher: " + problem);
        err.println("usage: " + MpjLauncher.class.getName() +
            " -np N [--device niodev|multicore] [--nodes K | --machines FILE] [--timeout SECONDS] [--shm-dir DIR]" +
            " -cp CLASSPATH" +
            " MainClass [args...]");
        return 2;
    }
}
