package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.shm.ShmSegment;
import org.pshmem.tests.ConformanceJob;
import org.pshmem.tests.ExpectedLayout;
import org.pshmem.tests.hosts.ExitCleanup;
import org.pshmem.tests.hosts.NamespaceHosts;
import org.pshmem.tests.hosts.OneCopyPerHost;
import org.pshmem.tests.hosts.ProbeRank;
import org.pshmem.tests.hosts.RunFiles;
import org.pshmem.tests.hosts.ShortCommand;

/**
 * Real multi-host MPJ Express on one machine: three test hosts, each a Linux network namespace with its own
 * address on a private bridge (itself in a namespace of its own, so the machine's network is not touched), its
 * own host name (UTS namespace), its own {@code /dev/shm} (a tmpfs in its mount namespace, so a host cannot see
 * another's segment files) and its own MPJ daemon, started as README's cluster section starts one. The project's
 * unchanged {@link MpjLauncher} runs on host A
 * (inside the daemon's namespaces) with {@code --machines} naming the three hosts, as
 * {@code ./pshmem run --machines} does, so the 6 ranks, 2 per host, talk over real TCP
 * between the hosts' addresses. It runs a probe (host, node and one segment per host, data written on one host
 * read back on every host), the README example and the whole conformance suite, with replication chunks of
 * {@value #CHUNK_BYTES} bytes so a large {@code set()} spans many messages between hosts. Throughout, every
 * socket that listens in a host's network namespace (its daemon, the ranks' niodev channels while they connect,
 * on host A MPJ's starter) listens on that host's own address, never on every interface.
 *
 * <p>Needs root and iproute2 ({@code ip}, {@code ss}), util-linux ({@code unshare}, {@code nsenter}) and bash;
 * when the namespaces cannot be made the test fails, loudly: it never skips. Everything it creates (namespaces,
 * {@code /etc/netns/<host>}, daemons and ranks) is removed after the tests, also when they fail, by
 * {@code @AfterAll} and by a shutdown hook; leftovers of a killed earlier run are removed at the start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostTest
{
    private static final int HOSTS = 3;
    private static final int RANKS_PER_HOST = 2;
    private static final int RANKS = HOSTS * RANKS_PER_HOST;
    /** Names of everything this test creates: {@code pmh<pid of the test JVM>-<3 random characters><role>}. */
    private static final String PREFIX = "pmh";
    /** Modest JVMs: the machine (2 cores on CI) runs 3 daemons, the launcher, MPJRun and 6 ranks at once. */
    private static final List<String> LIGHT_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    /** Replication chunk of the ranks (default 8 MiB): a large {@code set()} spans many messages between hosts. */
    private static final int CHUNK_BYTES = 65536;
    private static final long JOB_TIMEOUT_S = 180;
    /** Logs and the machines file of a run, in the temporary folder. */
    private static final String RUN_DIR_PREFIX = "pshmem-multihost-";

    private static Lab lab;

    @BeforeAll
    static void buildHosts() throws Exception
    {
        lab = new Lab();
        lab.up();
    }

    @AfterAll
    static void removeHosts()
    {
        if (null != lab)
        {
            lab.close();
            final List<String> left = lab.leftovers();
            assertTrue(left.isEmpty(), "MultiHostTest left behind: " + left);
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyHostHasOneCopyAndSeesDataWrittenOnAnother() throws Exception
    {
        final Job job = lab.launch(HostProbe.class.getName());
        assertEquals(0, job.status(), job.describe());
        job.assertListeningOnOwnAddressesOnly(lab.ips);
        final Pattern line = Pattern.compile("^PROBE rank=(\\d+)/(\\d+) host=(\\S+) javaHost=(\\S+) ip=(\\S+) " +
            "netns=(\\S+) node=(\\d+)/(\\d+) nodeRank=(\\d+)/(\\d+) arrayNodes=(\\d+) perNode=(\\d+) segments=(\\S+) " +
            "readBack=(\\S+) everyRankReadBack=(\\d+)$");
        final Map<Integer, Matcher> byRank = new LinkedHashMap<>();
        job.output().lines().map(line::matcher).filter(Matcher::matches)
            .forEach(m -> byRank.put(Integer.parseInt(m.group(1)), m));
        byRank.values().forEach(m -> System.out.println("[MultiHostTest] " + m.group()));
        assertEquals(RANKS, byRank.size(), "one PROBE line per rank\n" + job.describe());
        final OneCopyPerHost copies = new OneCopyPerHost();
        final Set<String> netns = new HashSet<>();
        for (int r = 0; r < RANKS; r++)
        {
            final Matcher m = byRank.get(r);
            final int host = r / RANKS_PER_HOST; // MPJ deals ranks to the machines file in blocks
            final String where = "rank " + r + ": " + m.group() + "\n" + job.describe();
            assertEquals(Integer.toString(RANKS), m.group(2), where);
            assertEquals(lab.hosts.get(host), m.group(3), "the rank's host name (UTS) " + where);
            assertEquals(lab.hosts.get(host), m.group(4), "the rank's host name in Java " + where);
            assertEquals(lab.ips.get(host), m.group(5), "the rank's address " + where);
            assertEquals(Integer.toString(HOSTS), m.group(8), "node count " + where);
            assertEquals(Integer.toString(RANKS_PER_HOST), m.group(10), "ranks on the node " + where);
            assertEquals(Integer.toString(HOSTS), m.group(11), "the array's node count " + where);
            assertEquals(Integer.toString(RANKS_PER_HOST), m.group(12), "the array's ranks per node " + where);
            assertEquals("ok", m.group(14), "data written on host A, then on host C, read back " + where);
            assertEquals(Integer.toString(RANKS), m.group(15), "ranks that read the data back " + where);
            assertTrue(!"none".equals(m.group(13)), "the rank maps a segment file " + where);
            copies.add(m.group(3), m.group(7), m.group(13));
            netns.add(m.group(6));
        }
        assertEquals(HOSTS, netns.size(), "one network namespace per host\n" + job.describe());
        assertTrue(!netns.contains(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString()),
            "no rank in the machine's own network namespace\n" + job.describe());
        copies.check(lab.hosts, job.describe());
        lab.assertNothingLeft("the probe");
    }

    @Test
    @Order(2)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void theReadmeExampleRunsAcrossThreeHosts() throws Exception
    {
        final Job job = lab.launch("org.pshmem.examples.ReadmeExample");
        assertEquals(0, job.status(), job.describe());
        job.assertListeningOnOwnAddressesOnly(lab.ips);
        assertTrue(job.output().contains("replicated on 3 nodes, each with 2 processes (6 total)"), job.describe());
        // Every rank printed the updated data (lines of different ranks may interleave, not within a line).
        final long updated = job.output().lines().filter(l -> l.equals(" [0. 3. 4. 5. 0.]]")).count();
        assertTrue(updated >= RANKS, "updated data printed by every rank (" + updated + " times)\n" + job.describe());
        assertTrue(job.output().contains("rank 5: shm[2, 3] = 5.0"), job.describe());
        lab.assertNothingLeft("the README example");
    }

    @Test
    @Order(3)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void theConformanceSuitePassesOnEveryRankAcrossThreeHosts() throws Exception
    {
        final Job job = lab.launch(ConformanceJob.class.getName(), ExpectedLayout.arg(HOSTS));
        assertEquals(0, job.status(), job.describe());
        assertTrue(job.output().contains(ConformanceJob.CHUNK_LINE + CHUNK_BYTES + "\n"), job.describe());
        job.assertListeningOnOwnAddressesOnly(lab.ips);
        assertTrue(!job.output().contains(" FAILED on rank "), job.describe());
        // Rank 0 prints OK for a scenario only when every rank passed it.
        final List<String> missing = ConformanceJob.notPassed(job.output());
        assertTrue(missing.isEmpty(), "scenarios not passed on every rank: " + missing + "\n" + job.describe());
        lab.assertNothingLeft("the conformance job");
    }

    /**
     * Run as a 6-rank job: prints, in rank order, each rank's host, address, network namespace, node index,
     * node-rank, the array's node layout and the segment files it maps (device:inode), after data written on
     * rank 0 (host A) and then on the last rank (host C) was read back on every rank.
     */
    public static final class HostProbe
    {
        private HostProbe()
        {
        }

        public static void main(final String[] args) throws Exception
        {
            try (Pshmem pshmem = Pshmem.init(args); SharedLongArray array = SharedArray.ofLongs(pshmem.world(), 4, 8))
            {
                final Communicator world = pshmem.world();
                final int rank = world.rank();
                final String uts = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
                final String javaHost = InetAddress.getLocalHost().getHostName();
                final String addresses = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                    .map(InetAddress::getHostAddress).sorted().collect(Collectors.joining(","));
                final String netns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
                final boolean readBack = ProbeRank.readsBackWritesOfFirstAndLast(world, array);
                final int readers = world.allReduce(readBack ? 1 : 0, ReduceOp.SUM);
                final String segments = ProbeRank.mappedSegments(ShmSegment::isSegmentMapping);
                try (Communicator node = world.splitByNode())
                {
                    final ProbeRank.NodePlace place = ProbeRank.nodePlace(world, node);
                    ProbeRank.printInRankOrder(world, "PROBE rank=" + rank + "/" + world.size() + " host=" + uts +
                        " javaHost=" + javaHost + " ip=" + addresses + " netns=" + netns + " node=" + place.index() +
                        "/" + place.count() + " nodeRank=" + node.rank() + "/" + node.size() + " arrayNodes=" +
                        array.nodeCount() + " perNode=" + array.processesPerNode() + " segments=" + segments +
                        " readBack=" + (readBack ? "ok" : "WRONG") + " everyRankReadBack=" + readers);
                }
            }
        }
    }

    /**
     * A finished launcher run.
     *
     * @param listening by host: every socket seen listening in its network namespace while the job ran.
     */
    record Job(String main, int status, String output, long millis, String logs, List<Set<String>> listening)
    {
        String describe()
        {
            return "job " + main + ": exit status " + status + " after " + millis + " ms; listening by host: " +
                listening + "; output:\n" + output + logs;
        }

        /** Every host's listeners are on its own address; the ranks' niodev channels were among them. */
        void assertListeningOnOwnAddressesOnly(final List<String> ips)
        {
            for (int h = 0; h < ips.size(); h++)
            {
                for (final String socket : listening.get(h))
                {
                    assertTrue(socket.startsWith(ips.get(h) + ":"), "host " + h + " listened on " + socket + ", not " +
                        "only on its address " + ips.get(h) + "; " + describe());
                }
            }
            final Set<Integer> mpjPorts = Set.of(MpjMain.DAEMON_PORT, 40052, 40002);
            assertTrue(listening.stream().flatMap(Set::stream)
                .anyMatch(socket -> !mpjPorts.contains(Integer.parseInt(socket.substring(socket.lastIndexOf(':') + 1)))),
                "no niodev channel of a rank was seen listening; " + describe());
        }
    }

    /** The test hosts ({@link NamespaceHosts}), their daemons and the run's folder; removed by {@link #close()}. */
    private static final class Lab implements AutoCloseable
    {
        final NamespaceHosts namespaces = new NamespaceHosts("MultiHostTest", PREFIX, '-', HOSTS);
        final List<String> hosts = namespaces.hosts();
        final List<String> ips = namespaces.ips();
        final List<Process> daemons = new ArrayList<>();
        final Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        final Path runDir;
        private final ExitCleanup cleanup;
        private Path mpjHome;

        Lab() throws IOException
        {
            runDir = Files.createTempDirectory(RUN_DIR_PREFIX + namespaces.base() + "-");
            cleanup = new ExitCleanup("pshmem-multihost-cleanup", this::removeAll);
        }

        void up() throws IOException, InterruptedException
        {
            removeStaleRunDirs();
            namespaces.up();
            final Path cache = Path.of(System.getenv().getOrDefault("PSHMEM_CACHE_DIR",
                System.getProperty("user.home") + "/.cache/pshmem"));
            mpjHome = MpjInstallation.home(cache);
            Files.writeString(runDir.resolve("machines"), String.join("\n", hosts) + "\n");
            for (final String host : hosts)
            {
                startDaemon(host);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int h = 0; h < HOSTS; h++)
            {
                while (!listening(hosts.get(h)))
                {
                    if (!daemons.get(h).isAlive() || System.nanoTime() > deadline)
                    {
                        fail("the MPJ daemon of " + hosts.get(h) + " is not listening on port " + MpjMain.DAEMON_PORT +
                            (daemons.get(h).isAlive() ? " after 60 s" : " (it ended)") + "; its log:\n" +
                            RunFiles.read(runDir.resolve("daemon-" + hosts.get(h) + ".log")));
                    }
                    Thread.sleep(200);
                }
            }
            // Each daemon (its own port and its port manager's) listens on its host's address only.
            for (int h = 0; h < HOSTS; h++)
            {
                final List<ListeningSockets.Socket> sockets =
                    ListeningSockets.inNamespaceOf(Long.toString(daemons.get(h).pid()));
                assertTrue(sockets.stream().anyMatch(socket -> socket.port() == MpjMain.DAEMON_PORT), hosts.get(h) +
                    " daemon listening: " + sockets);
                for (final ListeningSockets.Socket socket : sockets)
                {
                    assertEquals(ips.get(h), socket.address().getHostAddress(), "the daemon of " + hosts.get(h) +
                        " listens on " + socket + ", not only on its host's address: " + sockets);
                }
            }
            // Real TCP between the hosts (no ping needed): every host reaches every daemon by its address.
            for (final String from : hosts)
            {
                final StringBuilder script = new StringBuilder();
                for (final String ip : ips)
                {
                    script.append("exec 3<>/dev/tcp/").append(ip).append('/').append(MpjMain.DAEMON_PORT)
                        .append(" || { echo 'cannot reach ").append(ip).append("'; exit 1; }; exec 3<&-; ");
                }
                final ShortCommand.Result reach =
                    ShortCommand.run(20, "ip", "netns", "exec", from, "timeout", "15", "bash", "-c", script.toString());
                assertEquals(0, reach.status(), from + " reaches every host's daemon: " + reach.describe());
            }
            System.out.println("[MultiHostTest] hosts " + hosts + " at " + ips + ", daemons " +
                daemons.stream().map(p -> Long.toString(p.pid())).collect(Collectors.joining(" ")) + ", MPJ home " + mpjHome);
        }

        /**
         * A daemon as the host's init: its own host name and its own {@code /dev/shm}; {@code ip netns exec}
         * gives it the network namespace and a private mount namespace with {@code /etc/netns/<host>/*} over
         * {@code /etc}. Every step execs, so the process started is the daemon's JVM itself.
         */
        private void startDaemon(final String host) throws IOException
        {
            final List<String> command = new ArrayList<>(List.of("nice", "-n", "10", "ip", "netns", "exec", host,
                "unshare", "--uts", "--", "sh", "-c",
                "hostname \"$0\" && mount -t tmpfs -o mode=1777 pmhshm /dev/shm && exec \"$@\"", host,
                javaBin.toString()));
            command.addAll(LIGHT_JVM);
            // As README's cluster section starts one: MPJ's daemon through pshmem's MpjMain, which makes it (and the
            // ranks it starts) listen on the address the host's name resolves to only.
            command.addAll(List.of("-Xmx64m", "-cp", mpjHome.resolve("lib/daemon.jar") + File.pathSeparator +
                MpjJobs.rankClassPath(), MpjMain.class.getName(), MpjMain.DAEMON, Integer.toString(MpjMain.DAEMON_PORT)));
            final Path dir = Files.createDirectories(runDir.resolve("daemon-" + host));
            final ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(runDir.resolve("daemon-" + host + ".log").toFile());
            environment(builder);
            daemons.add(builder.start());
        }

        private void environment(final ProcessBuilder builder)
        {
            // The daemon starts rank JVMs as "java" from its PATH: the same Java as this test's.
            builder.environment().put("MPJ_HOME", mpjHome.toString());
            builder.environment().put("PATH", javaBin.getParent() + ":" +
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"));
        }

        private boolean listening(final String host) throws IOException, InterruptedException
        {
            final ShortCommand.Result ss = ShortCommand.run(10, "ip", "netns", "exec", host, "ss", "-Hltn");
            return ss.status() == 0 && ss.output().contains(":" + MpjMain.DAEMON_PORT + " ");
        }

        /**
         * Runs {@code main} on 6 ranks with the project's launcher, on host A inside its daemon's namespaces.
         */
        Job launch(final String main, final String... args) throws IOException, InterruptedException
        {
            final String classPath = MpjJobs.rankClassPath();
            final List<String> command = new ArrayList<>(List.of("nice", "-n", "10", "nsenter",
                "--target", Long.toString(daemons.get(0).pid()), "--net", "--uts", "--mount", "--", javaBin.toString()));
            command.addAll(LIGHT_JVM);
            // The launcher's work folder (the ranks' status marks, on a file system every host shares here) in
            // this run's folder: removed with it even when the launcher is killed before it cleans up.
            command.add("-Djava.io.tmpdir=" + Files.createDirectories(runDir.resolve("tmp")));
            command.addAll(List.of("-cp", classPath, MpjLauncher.class.getName(), "-np", Integer.toString(RANKS),
                "--device", "niodev", "--machines", runDir.resolve("machines").toString(),
                "--timeout", Long.toString(JOB_TIMEOUT_S), "-cp", classPath, main));
            command.addAll(Arrays.asList(args));
            final Path log = runDir.resolve("job-" + main.replaceAll("[^A-Za-z0-9.]", "_") + ".log");
            final ProcessBuilder builder = new ProcessBuilder(command)
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile());
            environment(builder);
            builder.environment().put("PSHMEM_JAVA_OPTS", String.join(" ", LIGHT_JVM) +
                " -Dpshmem.setChunkBytes=" + CHUNK_BYTES);
            final long start = System.nanoTime();
            final Process process = builder.start();
            final List<Set<String>> listening = new ArrayList<>();
            hosts.forEach(host -> listening.add(new TreeSet<>()));
            final long deadline = start + TimeUnit.SECONDS.toNanos(JOB_TIMEOUT_S + 60);
            int status = -1;
            // Sampled often: niodev's channels listen only while the ranks connect to each other.
            while (!process.waitFor(20, TimeUnit.MILLISECONDS))
            {
                if (System.nanoTime() > deadline)
                {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    break;
                }
                for (int h = 0; h < HOSTS; h++)
                {
                    for (final ListeningSockets.Socket socket :
                        ListeningSockets.inNamespaceOf(Long.toString(daemons.get(h).pid())))
                    {
                        listening.get(h).add(socket.toString());
                    }
                }
            }
            if (!process.isAlive())
            {
                status = process.exitValue();
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            final String output = RunFiles.read(log);
            System.out.println("[MultiHostTest] " + main + ": exit " + status + " in " + millis + " ms; listening " +
                "by host: " + listening);
            return new Job(main, status, output, millis, status == 0 ? "" : daemonLogs(), listening);
        }

        String daemonLogs()
        {
            final StringBuilder logs = new StringBuilder();
            for (final String host : hosts)
            {
                logs.append("\n--- daemon log of ").append(host).append(":\n")
                    .append(RunFiles.read(runDir.resolve("daemon-" + host + ".log")));
            }
            return logs.toString();
        }

        /**
         * After a job: no rank JVM left under any daemon, no segment file in any host's {@code /dev/shm}
         * (seen through the daemon's mount namespace), none of our hosts' in the machine's.
         */
        void assertNothingLeft(final String after) throws IOException, InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (final Process daemon : daemons)
            {
                while (daemon.descendants().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline)
                {
                    Thread.sleep(100);
                }
            }
            for (int h = 0; h < HOSTS; h++)
            {
                final Process daemon = daemons.get(h);
                assertTrue(daemon.isAlive(), "the daemon of " + hosts.get(h) + " still runs after " + after);
                final List<String> ranks = daemon.descendants().filter(ProcessHandle::isAlive)
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.toList());
                assertTrue(ranks.isEmpty(), "processes left on " + hosts.get(h) + " after " + after + ": " + ranks);
                assertEquals(List.of(), segmentFiles(Path.of("/proc/" + daemon.pid() + "/root/dev/shm"), ""),
                    "segment files left in /dev/shm of " + hosts.get(h) + " after " + after);
            }
            for (final String host : hosts)
            {
                assertEquals(List.of(), segmentFiles(Path.of("/dev/shm"), host),
                    "segment files of " + host + " in the machine's /dev/shm after " + after);
            }
        }

        private static List<String> segmentFiles(final Path dir, final String node) throws IOException
        {
            try (Stream<Path> files = Files.list(dir))
            {
                return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(ShmSegment.PREFIX + node))
                    .sorted().collect(Collectors.toList());
            }
        }

        /** Removes the run folders of killed earlier runs (their JVM gone). */
        private void removeStaleRunDirs() throws IOException
        {
            try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
            {
                for (final Path dir : dirs.collect(Collectors.toList()))
                {
                    final String name = dir.getFileName().toString();
                    if (name.startsWith(RUN_DIR_PREFIX) &&
                        namespaces.leftByEndedRun(name.substring(RUN_DIR_PREFIX.length())))
                    {
                        RunFiles.deleteTree(dir);
                    }
                }
            }
        }

        /** Removes everything of the run; idempotent, never throws. */
        @Override
        public void close()
        {
            cleanup.close();
        }

        /** Run once, by close or as the JVM exits: does what it can and says what failed. */
        private void removeAll()
        {
            for (final Process daemon : daemons)
            {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
            }
            for (final Process daemon : daemons)
            {
                try
                {
                    daemon.waitFor(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            namespaces.close();
            RunFiles.deleteTree(runDir);
        }

        /** What is left of this run after {@link #close()}: namespaces, /etc/netns entries, daemons. */
        List<String> leftovers()
        {
            final List<String> left = new ArrayList<>(namespaces.leftovers());
            for (final Process daemon : daemons)
            {
                if (daemon.isAlive())
                {
                    left.add("daemon " + daemon.pid());
                }
            }
            return left;
        }
    }
}
