package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pshmem.shm.ShmSegment;
import org.pshmem.tests.ChildProcess;

/**
 * The launcher's command line, node names, the JVM options for each Java version, and its timeout.
 */
class MpjLauncherTest
{
    @AfterEach
    void clearSetting()
    {
        System.clearProperty(NodeNames.PROPERTY);
    }

    private static String usageError(final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = MpjLauncher.launch(List.of(args), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badCommandLinesAreRejectedWithAReason()
    {
        assertTrue(usageError("-np", "2").contains("no main class given"));
        assertTrue(usageError("-np", "0", "Main").contains("-np must be at least 1"));
        assertTrue(usageError("-np", "2", "--nodes", "3", "Main").contains("--nodes must be from 1 to the number of ranks (2), not 3"));
        assertTrue(usageError("-np", "2", "--device", "carrier", "Main").contains("--device must be niodev or multicore"));
        assertTrue(usageError("-np", "two", "Main").contains("whole numbers"));
        assertTrue(usageError("--bogus", "1", "Main").contains("unknown option '--bogus'"));
        assertTrue(usageError("-np", "2", "--machines", "/nonexistent/machines", "Main")
            .contains("cannot read the machines file /nonexistent/machines"));
        assertTrue(usageError("-np", "4", "--nodes", "2", "--machines", "/etc/hostname", "Main")
            .contains("it does not go with --device multicore or --nodes"));
        assertTrue(usageError("-np", "2", "--listen-address", "127.0.0.1", "Main")
            .contains("--listen-address goes with --machines"));
        assertTrue(usageError("-np", "2", "--shm-dir", "/nonexistent", "Main")
            .contains("--shm-dir must be a folder, not '/nonexistent'"));
        assertTrue(usageError("--timeout", "-5", "Main").contains("--timeout must be 0 (no limit) or more seconds"));
        assertTrue(usageError("-np", "2", "--").contains("no main class given"));
        // ./pshmem run hands its options to this launcher: bad usage reads as the script's, in one line.
        assertEquals("pshmem run: unknown option '--no-such-option' (see ./pshmem run --help)\n",
            usageError("--no-such-option", "2", "Main"));
    }

    @Test
    void simulatedNodesAreDealtInBlocksLargerFirst()
    {
        assertEquals("simnode0,simnode0,simnode1", MpjLauncher.simulatedNodes(3, 2));
        assertEquals("simnode0,simnode0,simnode1,simnode1", MpjLauncher.simulatedNodes(4, 2));
        assertEquals("simnode0,simnode0,simnode1,simnode1,simnode2,simnode2,simnode3,simnode4",
            MpjLauncher.simulatedNodes(8, 5));
        assertEquals("pid 4242", "pid " + ShmSegment.creatorPid("pshmem-simnode0-4242-8000000000000abc").orElse("none"));
        assertEquals("none", ShmSegment.creatorPid("pshmem-notours").orElse("none"));
    }

    @Test
    void theNodeNameSettingIsOneNameOrOnePerRank()
    {
        assertEquals("host-a", NodeNames.resolve(3, "host-a"));
        System.setProperty(NodeNames.PROPERTY, "big");
        assertEquals("big", NodeNames.resolve(3, "host-a"));
        System.setProperty(NodeNames.PROPERTY, "n0,n0,n1");
        assertEquals("n1", NodeNames.resolve(2, "host-a"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> NodeNames.resolve(3, "h"));
        assertTrue(ex.getMessage().contains("lists 3 node names, but world rank 3 needs entry 3"), ex.getMessage());
    }

    @Test
    void jvmOptionsFollowTheJavaVersion()
    {
        assertTrue(JvmOptions.forRanks(17).contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"));
        assertFalse(JvmOptions.forRanks(17).contains("--sun-misc-unsafe-memory-access=allow"));
        assertTrue(JvmOptions.forRanks(25).contains("--sun-misc-unsafe-memory-access=allow"));
    }

    @Test
    void aPlainJvmWithTheMpjTransportOnTheClassPathRunsAsOneRank() throws Exception
    {
        final ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", MpjJobs.rankClassPath(),
            "org.pshmem.examples.ReadmeExample").redirectErrorStream(true), Duration.ofSeconds(60));
        final String out = result.out();
        assertEquals(0, result.status(), out);
        assertTrue(out.contains("replicated on 1 nodes, each with 1 processes (1 total)"), out);
    }

    @Test
    void askingForTheMpjTransportInAPlainJvmSaysItNeedsItsLauncher() throws Exception
    {
        final ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dpshmem.transport=mpj", "-cp",
            MpjJobs.rankClassPath(), "org.pshmem.examples.ReadmeExample").redirectErrorStream(true),
            Duration.ofSeconds(60));
        final String out = result.out();
        assertEquals(1, result.status(), out);
        assertTrue(out.contains("transport 'mpj' (from pshmem.transport or PSHMEM_TRANSPORT) needs its launcher, " +
            "and this JVM was not started by it"), out);
        assertTrue(out.contains("a transport that runs in a plain JVM: local"), out);
    }

    /**
     * {@code --timeout} expires: the launcher ends every rank, says so and exits 1, and the job leaves no
     * process and no segment file. The ranks report in before it expires, so it is the timeout that ends them.
     */
    @Test
    void aJobThatOutlivesItsTimeoutIsEndedWithStatus1() throws Exception
    {
        final Path shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-timeout-");
        final Set<Long> pids = ConcurrentHashMap.newKeySet();
        try
        {
            final MpjJobs.Result result = MpjJobs.run(List.of("-np", "2", "--device", "niodev", "--timeout", "10",
                "--shm-dir", shmDir.toString()), line ->
                {
                    if (line.startsWith("READY "))
                    {
                        pids.add(Long.parseLong(line.substring("READY ".length()).trim()));
                    }
                }, LeakProbe.class.getName(), "hang");
            assertEquals(1, result.status(), result.both());
            assertEquals(2, pids.size(), "both ranks ran before the timeout: " + result.both());
            assertTrue(result.err().contains("pshmem: the job did not finish within 10 s; aborted"), result.both());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pids.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            for (final long pid : pids)
            {
                assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "rank pid " + pid + " still runs");
            }
            try (Stream<Path> files = Files.list(shmDir))
            {
                assertEquals(List.of(), files.toList(), "segment files left");
            }
        }
        finally
        {
            try (Stream<Path> files = Files.list(shmDir))
            {
                files.forEach(path -> path.toFile().delete());
            }
            Files.delete(shmDir);
        }
    }

    @Test
    void theTransportRecognisesRanksStartedByMpjRun()
    {
        final MpjTransport transport = new MpjTransport();
        assertTrue(transport.launchedThisRank(new String[] {"0", "4", "smpdev", "x"}));
        assertTrue(transport.launchedThisRank(new String[] {"2", "#conf", "niodev"}));
        assertFalse(transport.launchedThisRank(new String[] {"a", "b", "c"}));
        assertFalse(transport.runsWithoutLauncher());
    }
}
