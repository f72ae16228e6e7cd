package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;
import org.pshmem.examples.ReadmeExample;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;
import org.pshmem.spi.Setting;
import org.pshmem.tests.ConformanceJob;
import org.pshmem.tests.ExpectedLayout;
import org.pshmem.tests.MisuseJob;
import org.pshmem.tests.MisuseScenarios;
import org.pshmem.tests.hosts.ExitCleanup;
import org.pshmem.tests.hosts.NamespaceHosts;
import org.pshmem.tests.hosts.OneCopyPerHost;
import org.pshmem.tests.hosts.ProbeRank;
import org.pshmem.tests.hosts.RunFiles;

/**
 * The native MPI transport across three hosts on one machine: each test host is a Linux network namespace with
 * its own address on a private bridge (itself in a namespace of its own, so the machine's network is not touched)
 * and its own host name (a UTS namespace per process tree Open MPI starts there). {@code mpirun} runs on host A
 * with a host file naming the three hosts (2 slots each) and reaches hosts B and C through a small agent script in
 * place of {@code ssh} ({@code plm_rsh_agent}), which runs Open MPI's daemon inside that host's namespaces; the
 * daemons and ranks talk over TCP between the hosts' addresses only ({@code oob_tcp_if_include},
 * {@code btl_tcp_if_include}). Node groups are Open MPI's own ({@code MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)},
 * no {@code pshmem.node}), so every host must be one node. It runs a probe (host, node and the segments every
 * rank maps: one copy per host, none shared between hosts) and the README example on two ranks per host, and the
 * whole conformance suite and every misuse case on one rank per host, one {@code mpirun} each, the suite with
 * replication chunks of {@value #CHUNK_BYTES} bytes.
 *
 * <p>Unlike pshmem-mpj's {@code MultiHostTest}, the hosts share the machine's file system, {@code /dev/shm} and
 * {@code /tmp} included (and its pid namespace): segment files of different hosts lie side by side, so their
 * names must not collide ({@code pshmem-<host>-<pid>-<random>}), and nothing of any host may be left there.
 *
 * <p>Needs root, iproute2 ({@code ip}) and util-linux ({@code unshare}); when the namespaces cannot be made the
 * test fails, loudly: it never skips. Everything it creates (namespaces, {@code /etc/netns/<host>}, the job's
 * processes) is removed after the tests, also when they fail, by {@code @AfterAll} and by a shutdown hook;
 * leftovers of a killed earlier run are removed at the start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MpiMultiHostTest
{
    private static final int HOSTS = 3;
    private static final int RANKS_PER_HOST = 2;
    private static final int RANKS = HOSTS * RANKS_PER_HOST;
    /** Names of everything this test creates: {@code pmi<pid of the test JVM>x<3 random characters><role>}. */
    private static final String PREFIX = "pmi";
    private static final int CHUNK_BYTES = 65536;
    /** mpirun's own {@code --timeout}; the test kills the job 60 s later if mpirun did not end it. */
    private static final long JOB_TIMEOUT_S = 600;

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
            assertTrue(left.isEmpty(), "MpiMultiHostTest left behind: " + left);
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void everyHostIsOneNodeWithOneCopyOfItsOwn() throws Exception
    {
        final Job job = lab.mpirun(RANKS_PER_HOST, HostProbe.class, List.of());
        assertEquals(0, job.status(), job.describe());
        job.assertRanksOnEveryHost(lab);
        final Pattern line = Pattern.compile("^PROBE rank=(\\d+)/(\\d+) host=(\\S+) javaHost=(\\S+) " +
            "node=(\\d+)/(\\d+) nodeRank=(\\d+)/(\\d+) arrayNodes=(\\d+) perNode=(\\d+) naming=(\\S+) " +
            "segments=(\\S+) namedFiles=(\\S+) readBack=(\\S+) everyRankReadBack=(\\d+)$");
        final Map<Integer, Matcher> byRank = new TreeMap<>();
        job.output().lines().map(line::matcher).filter(Matcher::matches)
            .forEach(m -> byRank.put(Integer.parseInt(m.group(1)), m));
        byRank.values().forEach(m -> System.out.println("[MpiMultiHostTest] " + m.group()));
        assertEquals(RANKS, byRank.size(), "one PROBE line per rank\n" + job.describe());
        final OneCopyPerHost copies = new OneCopyPerHost();
        for (int r = 0; r < RANKS; r++)
        {
            final Matcher m = byRank.get(r);
            final String host = lab.hosts.get(r / RANKS_PER_HOST);
            final String where = "rank " + r + ": " + m.group() + "\n" + job.describe();
            assertEquals(host, m.group(3), "the rank's host name " + where);
            assertEquals(host, m.group(4), "the rank's host name in Java " + where);
            assertEquals(Integer.toString(HOSTS), m.group(6), "node count " + where);
            assertEquals(Integer.toString(RANKS_PER_HOST), m.group(8), "ranks on the node " + where);
            assertEquals(Integer.toString(HOSTS), m.group(9), "the array's node count " + where);
            assertEquals(Integer.toString(RANKS_PER_HOST), m.group(10), "the array's ranks per node " + where);
            // Every host shares /proc and the pid namespace with the others: descriptors can be passed.
            assertEquals("UNNAMED", m.group(11), "segment naming " + where);
            assertTrue(!"none".equals(m.group(12)), "the rank maps a segment file " + where);
            assertEquals("none", m.group(13), "no segment file keeps a name in /dev/shm " + where);
            assertEquals("ok", m.group(14), "data written on host A, then on host C, read back " + where);
            assertEquals(Integer.toString(RANKS), m.group(15), "ranks that read the data back " + where);
            copies.add(host, m.group(5), m.group(12));
        }
        copies.check(lab.hosts, job.describe());
        lab.assertNothingLeft("the probe");
    }

    @Test
    @Order(2)
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void theReadmeExampleRunsAcrossThreeHosts() throws Exception
    {
        final Job job = lab.mpirun(RANKS_PER_HOST, ReadmeExample.class, List.of());
        assertEquals(0, job.status(), job.describe());
        job.assertRanksOnEveryHost(lab);
        MpiReadmeExampleTest.assertPrinted(HOSTS, RANKS_PER_HOST, RANKS, job.output(), job.describe());
        lab.assertNothingLeft("the README example");
    }

    @Test
    @Order(3)
    @Timeout(value = JOB_TIMEOUT_S + 120, unit = TimeUnit.SECONDS)
    void theConformanceSuitePassesOnEveryRankAcrossThreeHosts() throws Exception
    {
        // One rank per host: every message between ranks crosses hosts (the probe and the README example run two
        // per host, sharing node memory), and 3 JVMs on the machine's cores in place of 6 keep the suite short.
        final Job job = lab.mpirun(1, ConformanceJob.class, List.of("-Xmx256m", "-Dpshmem.setChunkBytes=" + CHUNK_BYTES),
            ExpectedLayout.arg(HOSTS));
        assertEquals(0, job.status(), job.describe());
        job.assertRanksOnEveryHost(lab);
        assertTrue(job.output().contains(ConformanceJob.CHUNK_LINE + CHUNK_BYTES + "\n"), job.describe());
        assertTrue(!job.output().contains(" FAILED on rank "), job.describe());
        // Rank 0 prints OK for a scenario only when every rank passed it; nodeLayout checks the 3 nodes.
        final List<String> missing = ConformanceJob.notPassed(job.output());
        assertTrue(missing.isEmpty(), "scenarios not passed on every rank: " + missing + "\n" + job.describe());
        lab.assertNothingLeft("the conformance job");
    }

    /**
     * The misuse battery ({@link MisuseScenarios}) across the hosts, one rank per host (every node a host of its
     * own): each case a job of its own that ends with a non-zero status, naming the calls and ranks as on one
     * machine, and leaves no process or file of the hosts behind.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("misuseCases")
    @Order(4)
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyMisuseEndsTheJobWithTheCallsNamedAcrossThreeHosts(final String name) throws Exception
    {
        // As in MpiMisuseTest: no second's sleep between the SIGTERM and SIGKILL of the ranks after MPI_Abort.
        final Job job = lab.mpirun(1, List.of("--mca", "odls_base_sigkill_timeout", "0"), MisuseJob.class, List.of(),
            name);
        MpiMisuseTest.check(name, HOSTS, job.status(), job.output());
        lab.assertNothingLeft("misuse case " + name);
    }

    static Stream<String> misuseCases()
    {
        return MisuseScenarios.all().keySet().stream();
    }

    /**
     * Run as a 6-rank job: prints, in rank order, each rank's host name, node index, node-rank, the array's node
     * layout, the segment naming, the segment files it maps (device:inode) and the names in the segment folder that
     * carry its host, after data written on rank 0 (host A) and then on the last rank (host C) was read back on
     * every rank.
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
                final boolean readBack = ProbeRank.readsBackWritesOfFirstAndLast(world, array);
                final int readers = world.allReduce(readBack ? 1 : 0, ReduceOp.SUM);
                final String segments = ProbeRank.mappedSegments(ShmSegment::isSegmentMapping);
                final String named;
                try (Stream<Path> files = Files.list(Path.of(Setting.SHM_DIR.value().orElseThrow())))
                {
                    named = files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith(ShmSegment.PREFIX + uts)).sorted().collect(Collectors.joining(","));
                }
                try (Communicator node = world.splitByNode())
                {
                    final ProbeRank.NodePlace place = ProbeRank.nodePlace(world, node);
                    ProbeRank.printInRankOrder(world, "PROBE rank=" + rank + "/" + world.size() + " host=" + uts +
                        " javaHost=" + javaHost + " node=" + place.index() + "/" + place.count() + " nodeRank=" +
                        node.rank() + "/" + node.size() + " arrayNodes=" + array.nodeCount() + " perNode=" +
                        array.processesPerNode() + " naming=" + SegmentNaming.here() + " segments=" + segments +
                        " namedFiles=" + (named.isEmpty() ? "none" : named) + " readBack=" +
                        (readBack ? "ok" : "WRONG") + " everyRankReadBack=" + readers);
                }
            }
        }
    }

    /**
     * A finished {@code mpirun}.
     *
     * @param ranks by world rank: the network and UTS namespaces of the rank's JVM, as seen while the job ran.
     */
    record Job(String main, int perHost, int status, String output, long millis, Map<Integer, String> ranks)
    {
        String describe()
        {
            return "job " + main + ": exit status " + status + " after " + millis + " ms; ranks seen (rank=net/uts): " +
                ranks + "; output:\n" + output;
        }

        /**
         * Two ranks per host: 0 and 1 ran on host A, 2 and 3 on B, 4 and 5 on C (Open MPI fills each host's slots in
         * turn); one per host: rank R on host R.
         */
        void assertRanksOnEveryHost(final Lab lab) throws IOException
        {
            final Set<String> uts = new TreeSet<>();
            for (int r = 0; r < HOSTS * perHost; r++)
            {
                final String host = lab.hosts.get(r / perHost);
                final String where = ranks.get(r);
                assertTrue(null != where && where.startsWith(lab.netns(host) + "/"), "rank " + r + " runs on " + host +
                    " (" + lab.netns(host) + "): " + describe());
                uts.add(where.substring(where.indexOf('/') + 1));
            }
            assertEquals(HOSTS, uts.size(), "one host name (UTS namespace) per host: " + describe());
            assertTrue(!uts.contains(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString()),
                "no rank with the machine's host name: " + describe());
        }
    }

    /** The test hosts ({@link NamespaceHosts}), the agent and the host file; removed by {@link #close()}. */
    private static final class Lab implements AutoCloseable
    {
        // No '-': segment names carry the host name with '-' changed to '_'.
        final NamespaceHosts namespaces = new NamespaceHosts("MpiMultiHostTest", PREFIX, 'x', HOSTS);
        final List<String> hosts = namespaces.hosts();
        final Path runDir;
        private final ExitCleanup cleanup;

        Lab() throws IOException
        {
            runDir = Files.createTempDirectory(MpiRun.workDir(), "multihost-" + namespaces.base() + "-");
            cleanup = new ExitCleanup("pshmem-mpi-multihost-cleanup", this::removeAll);
        }

        void up() throws IOException, InterruptedException
        {
            namespaces.up();
            final StringBuilder slots = new StringBuilder();
            hosts.forEach(host -> slots.append(host).append(" slots=").append(RANKS_PER_HOST).append('\n'));
            Files.writeString(runDir.resolve("hostfile"), slots.toString());
            // In place of ssh: Open MPI runs "AGENT HOST WORDS..." and means "run WORDS with a shell on HOST". The
            // agent runs that shell inside HOST's network namespace with HOST as its host name, with exec at every
            // step, so Open MPI's daemon there is the agent process itself, a child of mpirun. The host name matters:
            // with the machine's on every host, Open MPI's shared-memory BTL names its files in the shared /dev/shm
            // vader_segment.<host name>.<job>.<local rank>, the ranks of different hosts map one another's, and
            // they crash (SIGSEGV in mca_btl_vader_poll_handle_frag, seen with Open MPI 4.1.4).
            final Path agent = runDir.resolve("agent");
            Files.writeString(agent, "#!/bin/sh\n" +
                "# Open MPI's plm_rsh_agent for namespace hosts: $1 is the host, the rest the remote command.\n" +
                "host=\"$1\"; shift\n" +
                "exec ip netns exec \"$host\" unshare --uts -- sh -c 'hostname \"$0\" && exec sh -c \"$*\"' \"$host\" \"$@\"\n");
            Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
            System.out.println("[MpiMultiHostTest] hosts " + hosts + " at " + namespaces.ips() + " (" +
                hosts.stream().map(namespaces::netns).collect(Collectors.toList()) + "), run folder " + runDir);
        }

        String netns(final String host)
        {
            return namespaces.netns(host);
        }

        /**
         * Runs {@code main} on {@code perHost} ranks of every host (2 fill the host file's slots; 1 is mapped by
         * node): {@code mpirun} on host A (its network namespace, its host name), the ranks
         * with the module's rank JVM options ({@link MpiRun#java}, {@link MpiRun#chronicleOptions}).
         */
        Job mpirun(final int perHost, final Class<?> main, final List<String> jvmOptions, final String... args)
            throws IOException, InterruptedException
        {
            return mpirun(perHost, List.of(), main, jvmOptions, args);
        }

        /** As {@link #mpirun(int, Class, List, String...)}, with {@code mpirunOptions} added to mpirun's own. */
        Job mpirun(final int perHost, final List<String> mpirunOptions, final Class<?> main,
            final List<String> jvmOptions, final String... args) throws IOException, InterruptedException
        {
            final int ranks = HOSTS * perHost;
            final List<String> command = new ArrayList<>(List.of("nice", "-n", "10", "ip", "netns", "exec", hosts.get(0),
                "unshare", "--uts", "--", "sh", "-c", "hostname \"$0\" && exec \"$@\"", hosts.get(0),
                "mpirun", "--oversubscribe", "-np", Integer.toString(ranks), "--map-by", perHost == 1 ? "node" : "slot",
                "--bind-to", "none",
                "--timeout", Long.toString(JOB_TIMEOUT_S),
                "--hostfile", runDir.resolve("hostfile").toString(),
                "--mca", "plm_rsh_agent", runDir.resolve("agent").toString(),
                // mpirun starts every daemon itself (else a daemon would start others, through the agent too).
                "--mca", "plm_rsh_no_tree_spawn", "1",
                // Daemons and ranks talk over the hosts' addresses only (each host also has lo).
                "--mca", "oob_tcp_if_include", namespaces.subnet(),
                "--mca", "btl", "self,vader,tcp",
                "--mca", "btl_tcp_if_include", namespaces.subnet()));
            command.addAll(mpirunOptions);
            final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
            jvm.addAll(jvmOptions);
            command.addAll(MpiRun.java(main, jvm, args));
            final Map<Integer, String> seen = new ConcurrentHashMap<>();
            final Thread watcher = new Thread(() -> watchRanks(main.getName(), ranks, seen), "pshmem-mpi-multihost-ranks");
            watcher.setDaemon(true);
            final long start = System.nanoTime();
            watcher.start();
            MpiRun.Result result;
            try
            {
                result = MpiRun.run(command, JOB_TIMEOUT_S + 60, "multihost-" + main.getSimpleName());
            }
            finally
            {
                watcher.interrupt();
                watcher.join(10_000);
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("[MpiMultiHostTest] " + main.getName() + ": exit " + result.exitCode() + " in " + millis +
                " ms; ranks (net/uts): " + new TreeMap<>(seen));
            return new Job(main.getName(), perHost, result.exitCode(), result.output(), millis, new TreeMap<>(seen));
        }

        /**
         * Until interrupted, notes every rank JVM of the job running {@code main}: its world rank (from its
         * environment) and its network and UTS namespaces.
         */
        private static void watchRanks(final String main, final int count, final Map<Integer, String> ranks)
        {
            while (!Thread.currentThread().isInterrupted() && ranks.size() < count)
            {
                ProcessHandle.allProcesses().forEach(p ->
                {
                    final String pid = Long.toString(p.pid());
                    try
                    {
                        final String cmdline = Files.readString(Path.of("/proc", pid, "cmdline"));
                        if (cmdline.contains("\0" + main + "\0") && cmdline.contains("java"))
                        {
                            rankOf(pid).ifPresent(rank -> {
                                try
                                {
                                    ranks.putIfAbsent(rank, Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")) +
                                        "/" + Files.readSymbolicLink(Path.of("/proc", pid, "ns", "uts")));
                                }
                                catch (final IOException ex)
                                {
                                    // the process ended
                                }
                            });
                        }
                    }
                    catch (final IOException ex)
                    {
                        // ended, or not ours to read
                    }
                });
                try
                {
                    Thread.sleep(200);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }

        private static Optional<Integer> rankOf(final String pid) throws IOException
        {
            for (final String variable : Files.readString(Path.of("/proc", pid, "environ")).split("\0"))
            {
                if (variable.startsWith("OMPI_COMM_WORLD_RANK="))
                {
                    return Optional.of(Integer.parseInt(variable.substring(variable.indexOf('=') + 1)));
                }
            }
            return Optional.empty();
        }

        /** The processes in a host's network namespace: {@code pid command line}. */
        List<String> processesOn(final String host)
        {
            final String id = netns(host);
            return ProcessHandle.allProcesses().filter(p ->
            {
                try
                {
                    return id.equals(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "ns", "net"))
                        .toString());
                }
                catch (final IOException ex)
                {
                    return false;
                }
            }).map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.toList());
        }

        /**
         * After a job: no process left on any host (mpirun, Open MPI's daemons, agents, ranks), nothing of any
         * host's in the machine's {@code /dev/shm} (pshmem's segment files, Open MPI's shared memory) or
         * {@code /tmp} (Open MPI's session folders).
         */
        void assertNothingLeft(final String after) throws IOException, InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<String> left = allProcesses();
            while (!left.isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(100);
                left = allProcesses();
            }
            assertEquals(List.of(), left, "processes left on the hosts after " + after);
            // pshmem names its files pshmem-<host>-..., Open MPI vader_segment.<host>.... and ompi.<host>.<uid>.
            for (final Path dir : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir"))))
            {
                try (Stream<Path> files = Files.list(dir))
                {
                    assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                        .filter(n -> n.contains(namespaces.base())).sorted().collect(Collectors.toList()),
                        "files of the hosts left in " + dir + " after " + after);
                }
            }
        }

        private List<String> allProcesses()
        {
            return hosts.stream().flatMap(host -> processesOn(host).stream().map(p -> host + ": " + p))
                .collect(Collectors.toList());
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
            namespaces.close();
            RunFiles.deleteTree(runDir);
        }

        /** What is left of this run after {@link #close()}: namespaces, /etc/netns entries. */
        List<String> leftovers()
        {
            return namespaces.leftovers();
        }
    }
}
