package org.pshmem.mpj;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.pshmem.shm.ShmSegment;
import org.pshmem.spi.FailureSummary;
import org.pshmem.spi.HangReport;
import org.pshmem.spi.Setting;

/**
 * Our launcher of MPJ Express jobs:
 * {@code MpjLauncher [-np N] [--device niodev|multicore] [--nodes K | --machines FILE [--listen-address ADDR]]
 * [--timeout S] [--shm-dir DIR] -cp CLASSPATH [--] MainClass [args...]} (N default 1). It alone checks the
 * options {@code ./pshmem run --transport mpj} hands it, and reports bad usage in one line, as {@code ./pshmem}
 * does. It prepares a working MPJ home and opens no door: a niodev job on this host alone is started by the launcher itself ({@link HostRanks}: no MPJ daemon, no fixed port, every socket on the
 * loopback address); the multicore device runs under MPJ's starter, which listens nowhere; with {@code --machines}
 * MPJ's starter sends the ranks to the listed hosts, where MPJ daemons must already run, and it and the ranks
 * listen on one address of each host ({@link ListenAddress}); the class path and the launcher's temporary folder
 * (the job folder) must be the same paths on every host (a shared file system). It passes the JVM options ranks
 * need ({@link JvmOptions}), and with {@code --nodes K} deals the ranks to K simulated nodes through the node-name
 * setting. Every rank runs under {@link GuardedRank}: when one fails, the job is aborted, and the launcher prints
 * one line per rank that did not finish and one stack trace ({@link FailureSummary}). When a rank has waited in
 * one collective for {@code pshmem.hangReportSeconds}, and when the {@code --timeout} passes, it prints where
 * every rank is ({@link HangReport}). MPJ's banner lines are dropped from the output.
 * Exit status: 0 when every rank finished normally; 1 when a rank failed, did not finish, or the
 * {@code --timeout} passed; 2 for bad usage.
 */
public final class MpjLauncher
{
    /** After a rank failed or died: time for the others to report it and end themselves before all are killed. */
    private static final long ABORT_AFTER_NANOS = 3_000_000_000L;
    /** How often the launcher reads where the ranks are, for the report of a job that stopped moving. */
    private static final long HANG_LOOK_NANOS = 1_000_000_000L;

    private MpjLauncher()
    {
    }

    /**
     * Runs the job and ends the JVM with its exit status.
     *
     * @param args {@code -np N [--device niodev|multicore] [--nodes K | --machines FILE [--listen-address ADDR]]
     *             [--timeout S] [--shm-dir DIR] -cp CLASSPATH [--] MainClass [args...]}.
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
        final String extra = Setting.JAVA_OPTS.explicitValue().orElse(null);
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
        int ranks = 1;
        int nodes = 1;
        String device = "niodev";
        String classPath = ".";
        long timeoutSeconds = 0;
        String shmDir = null;
        Path machines = null;
        String listenAddress = null;
        int i = 0;
        try
        {
            while (i < args.size() && args.get(i).startsWith("-"))
            {
                final String option = args.get(i);
                if (option.equals("--"))
                {
                    i++;
                    break;
                }
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
                    case "--shm-dir":
                        if (!Files.isDirectory(Path.of(value)))
                        {
                            return usage(err, "--shm-dir must be a folder, not '" + value + "'");
                        }
                        shmDir = Path.of(value).toAbsolutePath().toString();
                        break;
                    case "--machines": machines = Path.of(value).toAbsolutePath(); break;
                    case "--listen-address": listenAddress = value; break;
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
        if (timeoutSeconds < 0)
        {
            return usage(err, "--timeout must be 0 (no limit) or more seconds, not " + timeoutSeconds);
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
                // MPJ's starter has the ranks connect back to this host at its listening address.
                final InetAddress self = ListenAddress.resolve(null != listenAddress ? listenAddress :
                    ListenAddress.setting());
                if (self.isLoopbackAddress() && hosts.stream().anyMatch(host -> !host.equals("localhost")))
                {
                    err.println("pshmem mpj launcher: this host's listening address is " + self.getHostAddress() +
                        " (loopback; from its name, or --listen-address), so ranks on other hosts could not reach " +
                        "the launcher; map the host name to an address they can reach (/etc/hosts), or give " +
                        "--listen-address");
                    return 1;
                }
            }
            catch (final IllegalStateException ex)
            {
                err.println("pshmem mpj launcher: " + ex.getMessage());
                return 1;
            }
        }
        else if (null != listenAddress)
        {
            return usage(err, "--listen-address goes with --machines (a job on this host alone listens on loopback)");
        }
        final long hangReportSeconds;
        try
        {
            hangReportSeconds = Setting.HANG_REPORT_SECONDS.longValue();
        }
        catch (final IllegalStateException ex)
        {
            return usage(err, ex.getMessage());
        }
        try
        {
            return run(new Job(ranks, nodes, device, absolute(classPath), args.subList(i, args.size()), timeoutSeconds,
                shmDir, hosts, List.copyOf(rankJvmOptions), listenAddress, 1000 * hangReportSeconds), out, err);
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
     * @param listenAddress  with hosts: where MPJ's starter listens, or null for {@link ListenAddress}'s default.
     * @param hangReportMillis how long a rank waits in one collective before the job is reported; 0 or less: never.
     */
    private record Job(int ranks, int nodes, String device, String classPath, List<String> program, long timeoutSeconds,
        String shmDir, List<String> hosts, List<String> rankJvmOptions, String listenAddress, long hangReportMillis)
    {
    }

    private static int run(final Job job, final PrintStream out, final PrintStream err) throws IOException
    {
        final Path home = MpjInstallation.home(MpjInstallation.cacheDir());
        final Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        final Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        // Folders of launchers killed outright (kill -9), which could not remove their own.
        LaunchFolder.removeStale(tmp);
        final LaunchFolder launchFolder = LaunchFolder.create(tmp);
        final JobFolder folder = launchFolder.jobFolder();
        try
        {
            try (JobProcesses processes = start(job, home, javaBin, launchFolder, out, err))
            {
                // SIGINT/SIGTERM: end the ranks, remove what they left, and the job's folder.
                final Thread stopper = new Thread(() ->
                {
                    kill(processes, folder);
                    removeSegmentsQuietly(folder, job.shmDir());
                    launchFolder.delete();
                }, "pshmem-launcher-stop");
                Runtime.getRuntime().addShutdownHook(stopper);
                final int status = supervise(job, processes, folder, err);
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
            launchFolder.delete();
        }
    }

    /**
     * Starts the job: niodev on this host alone as rank JVMs of the launcher's own; otherwise through MPJ's
     * starter, run so that it listens on one address only.
     */
    private static JobProcesses start(final Job job, final Path home, final Path javaBin,
        final LaunchFolder launchFolder, final PrintStream out, final PrintStream err) throws IOException
    {
        final Path workDir = launchFolder.path();
        final JobFolder folder = launchFolder.jobFolder();
        final List<String> rankOptions = new ArrayList<>(JvmOptions.forRanks(Runtime.version().feature()));
        rankOptions.add("-D" + JobFolder.PROPERTY + "=" + folder.path());
        rankOptions.add("-D" + GuardedRank.LAUNCHER_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        if (null != job.shmDir())
        {
            rankOptions.add("-D" + MpjSession.SHM_DIR_PROPERTY + "=" + job.shmDir());
        }
        if (job.nodes() > 1)
        {
            rankOptions.add("-D" + NodeNames.PROPERTY + "=" + simulatedNodes(job.ranks(), job.nodes()));
        }
        rankOptions.addAll(job.rankJvmOptions());
        final Map<String, String> environment = Map.of("MPJ_HOME", home.toString(),
            "PATH", javaBin.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        final boolean thisHostOnly = job.hosts().isEmpty();
        if (thisHostOnly && job.device().equals(HostRanks.DEVICE))
        {
            final List<String> java = new ArrayList<>(List.of(javaBin.toString()));
            java.addAll(rankOptions);
            return new HostRanks(job.ranks(), java, home.resolve("lib/mpj.jar") + File.pathSeparator + job.classPath(),
                job.program(), workDir, environment, out, err);
        }
        if (!thisHostOnly)
        {
            Files.writeString(launchFolder.machinesFile(), String.join("\n", job.hosts()) + "\n");
        }
        final List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-cp",
            home.resolve("lib/starter.jar") + File.pathSeparator + transportLocation()));
        // On this host alone (multicore) the starter listens nowhere; across hosts, where the option says.
        final String listen = thisHostOnly ? InetAddress.getLoopbackAddress().getHostAddress() : job.listenAddress();
        if (null != listen)
        {
            command.add("-D" + ListenAddress.PROPERTY + "=" + listen);
        }
        command.addAll(List.of(MpjMain.class.getName(), MpjMain.STARTER));
        command.addAll(rankOptions);
        command.addAll(List.of("-np", Integer.toString(job.ranks()), "-dev", job.device(), "-cp", job.classPath(),
            GuardedRank.class.getName()));
        command.addAll(job.program());
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().putAll(environment);
        return new StarterProcess(builder, out);
    }

    /** @return the jar (or classes folder) of this transport, for MPJ's starter run by {@link MpjMain}. */
    private static String transportLocation()
    {
        try
        {
            return Path.of(MpjMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot tell where pshmem's MPJ transport was loaded from: " + ex, ex);
        }
    }

    /**
     * Waits for the job; aborts it when a rank reports failure or the timeout passes. MPJRun's own status
     * does not tell a failed rank (multicore returns 0), so the ranks' marks decide.
     */
    private static int supervise(final Job job, final JobProcesses processes, final JobFolder folder,
        final PrintStream err) throws InterruptedException, IOException
    {
        final long deadline = job.timeoutSeconds() > 0 ? System.nanoTime() + job.timeoutSeconds() * 1_000_000_000L : 0;
        final long stretchMillis = job.hangReportMillis();
        final HangReport hangs = new HangReport(stretchMillis);
        long abortAt = 0;
        long nextLook = System.nanoTime() + HANG_LOOK_NANOS;
        while (!processes.awaitEnd(100))
        {
            if (stretchMillis > 0 && System.nanoTime() - nextLook > 0) // the folder is not read when reports are off
            {
                nextLook = System.nanoTime() + HANG_LOOK_NANOS;
                hangs.poll(places(folder, job.ranks()), System.currentTimeMillis()).ifPresent(err::println);
            }
            final List<Integer> gone = abortAt == 0 ? folder.died() : List.of();
            if (!gone.isEmpty())
            {
                err.println("pshmem: " + ranks(gone) +
                    " ended without finishing (killed?); aborting the job");
                abortAt = System.nanoTime() + ABORT_AFTER_NANOS; // the other ranks report it, then end themselves
            }
            if (abortAt == 0 && !folder.ended(JobFolder.Outcome.FAILED).isEmpty())
            {
                abortAt = System.nanoTime() + ABORT_AFTER_NANOS; // the failing rank ends itself after its grace period
            }
            final String early = abortAt == 0 ? processes.startFailure() : null;
            if (null != early)
            {
                err.println("pshmem: " + early + "; aborting the job");
                kill(processes, folder);
                break;
            }
            final boolean timedOut = deadline != 0 && System.nanoTime() > deadline;
            if (timedOut || abortAt != 0 && System.nanoTime() > abortAt)
            {
                // Where the ranks were is read before they are killed, which would make every one "died".
                final String report = timedOut ? HangReport.text("pshmem: the job did not finish within " +
                    job.timeoutSeconds() + " s; aborted; where every rank was:", places(folder, job.ranks()),
                    System.currentTimeMillis()) : null;
                kill(processes, folder);
                if (timedOut)
                {
                    err.println(report);
                    return 1;
                }
                break;
            }
        }
        if (folder.ended(JobFolder.Outcome.OK).size() < job.ranks())
        {
            // Ranks started by a daemon are not the launcher's children: end this host's too.
            kill(processes, folder);
            removeSegmentsOf(folder, job.shmDir());
        }
        // One screen: a line per rank that did not finish, then one stack trace (every one with the setting).
        err.print(FailureSummary.text(folder.ends(job.ranks()), -1,
            Boolean.parseBoolean(Setting.ALL_TRACES.value().orElse("false"))));
        final List<Integer> failed = folder.ended(JobFolder.Outcome.FAILED);
        if (!failed.isEmpty())
        {
            err.println("pshmem: job aborted: " + ranks(failed) + " failed (see the output above)");
            return 1;
        }
        final List<Integer> dead = folder.died();
        if (!dead.isEmpty())
        {
            err.println("pshmem: job aborted: " + ranks(dead) + " ended without finishing");
            return 1;
        }
        final List<Integer> done = folder.ended(JobFolder.Outcome.OK);
        if (done.size() < job.ranks())
        {
            err.println("pshmem: only " + done.size() + " of " + job.ranks() + " ranks finished normally");
            return 1;
        }
        return processes.exitStatus();
    }

    /** @return where every rank is, as the job folder says. */
    private static List<HangReport.Place> places(final JobFolder folder, final int ranks)
    {
        final List<HangReport.Place> places = new ArrayList<>();
        for (int rank = 0; rank < ranks; rank++)
        {
            places.add(folder.place(rank));
        }
        return places;
    }

    /** @return "rank 2" or "ranks 1, 3". */
    private static String ranks(final List<Integer> ranks)
    {
        return "rank" + (ranks.size() > 1 ? "s " : " ") +
            ranks.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static void removeSegmentsQuietly(final JobFolder folder, final String shmDir)
    {
        try
        {
            removeSegmentsOf(folder, shmDir);
        }
        catch (final IOException | RuntimeException ignored)
        {
            // The JVM is ending; ./pshmem shm clean removes what is left.
        }
    }

    /**
     * Removes segment files whose creator was a rank of this job: a rank killed between creating a segment
     * and every rank mapping it would otherwise leave the file behind.
     */
    private static void removeSegmentsOf(final JobFolder folder, final String shmDir) throws IOException
    {
        final java.util.Set<String> pids = new java.util.HashSet<>();
        for (final int rank : folder.started())
        {
            folder.localPid(rank).ifPresent(pid -> pids.add(pid.toString()));
        }
        final Path dir = Path.of(null == shmDir ? MpjSession.DEFAULT_SHM_DIR : shmDir);
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(path -> ShmSegment.creatorPid(path.getFileName().toString()).map(pids::contains).orElse(false))
                .forEach(path -> path.toFile().delete());
        }
    }

    /** Ends the job's processes and every rank JVM of this host, which (under a daemon) are not the launcher's. */
    private static void kill(final JobProcesses processes, final JobFolder folder)
    {
        try
        {
            // Only ranks of this host: a remote rank ends when MPJRun does, through its daemon.
            for (final int rank : folder.started())
            {
                folder.localPid(rank).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        catch (final IOException ignored)
        {
            // No marks: nothing started.
        }
        processes.destroy();
    }

    /**
     * @return node names for world ranks, dealt in blocks as the in-process transport does.
     */
    static String simulatedNodes(final int ranks, final int nodes)
    {
        final StringBuilder names = new StringBuilder();
        for (int r = 0; r < ranks; r++)
        {
            names.append(r > 0 ? "," : "").append("simnode").append(org.pshmem.spi.Blocks.of(r, ranks, nodes));
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

    /** One line, as ./pshmem reports bad usage, since ./pshmem run hands its options to this launcher. */
    private static int usage(final PrintStream err, final String problem)
    {
        err.println("pshmem run: " + problem + " (see ./pshmem run --help)");
        return 2;
    }
}
