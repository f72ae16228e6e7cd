package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A job on one host opens no door (README, Guarantees): from the launcher's start to the job's end, no socket of
 * the job's processes (the launcher, every process it started, so the ranks and any MPJ daemon) listens outside
 * the loopback addresses ({@code 127.0.0.0/8}, {@code ::1}), and none of them is an MPJ daemon. Every 20 ms the
 * test reads the kernel's tables of listening sockets and maps each socket to the process holding it, through
 * the socket inodes in {@code /proc/<pid>/fd}. It also sees what it checks: under niodev the ranks' server
 * channels (which niodev closes once the ranks are connected) and the launcher's exchange, on loopback.
 */
class NoOpenDoorTest
{
    private static final int RANKS = 4;

    /** What was seen listening, by which process. */
    private record Seen(long pid, String command, ListeningSockets.Socket socket)
    {
        @Override
        public String toString()
        {
            return socket + " held by pid " + pid + " (" + command + ")";
        }
    }

    @ParameterizedTest(name = "a job of 4 ranks on {0} listens on loopback only")
    @ValueSource(strings = {"niodev", "multicore"})
    void aJobOnOneHostListensOnLoopbackOnly(final String device) throws Exception
    {
        final Path dir = Files.createTempDirectory("pshmem-door-test");
        final Path release = dir.resolve("release");
        final String cp = MpjJobs.rankClassPath();
        final Process launcher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", cp, MpjLauncher.class.getName(), "-np", Integer.toString(RANKS), "--device", device,
            "--timeout", "120", "-cp", cp, DoorProbe.class.getName(), release.toString())
            .redirectErrorStream(true).start();
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line = in.readLine(); null != line; line = in.readLine())
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // The launcher is gone.
            }
        }, "door-test-output");
        reader.start();
        final Set<Seen> seen = new LinkedHashSet<>();
        final Set<String> commands = new LinkedHashSet<>();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!lines.contains("READY") && launcher.isAlive() && System.nanoTime() < deadline)
            {
                sample(launcher, seen, commands);
                Thread.sleep(20);
            }
            assertTrue(lines.contains("READY"), "the job did not get its ranks connected: " + String.join("\n", lines));
            sample(launcher, seen, commands);
            Files.createFile(release);
            while (launcher.isAlive() && System.nanoTime() < deadline)
            {
                sample(launcher, seen, commands);
                Thread.sleep(20);
            }
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "the job did not end: " + String.join("\n", lines));
            reader.join(5_000);
            final String where = "\noutput:\n" + String.join("\n", lines) + "\nlisteners seen:\n" +
                seen.stream().map(Seen::toString).collect(Collectors.joining("\n")) + "\nprocesses:\n" +
                String.join("\n", commands);
            assertEquals(0, launcher.exitValue(), where);
            assertEquals(List.of(), seen.stream().filter(s -> !s.socket().isLoopback()).collect(Collectors.toList()),
                "listening outside loopback" + where);
            assertEquals(List.of(), commands.stream().filter(c -> c.contains("runtime.daemon.MPJDaemon"))
                .collect(Collectors.toList()), "an MPJ daemon among the job's processes" + where);
            if (device.equals("niodev"))
            {
                final Map<Long, Long> perRank = new TreeMap<>(seen.stream().filter(s -> s.pid() != launcher.pid())
                    .collect(Collectors.groupingBy(Seen::pid, Collectors.mapping(Seen::socket,
                        Collectors.collectingAndThen(Collectors.toSet(), set -> (long)set.size())))));
                // niodev's channels listen only until the ranks are connected: the first ranks' for seconds.
                System.out.println("NoOpenDoorTest: listening sockets seen per rank JVM: " + perRank);
                assertTrue(perRank.values().stream().anyMatch(n -> n >= 2), "a rank's two niodev channels" + where);
                assertTrue(seen.stream().anyMatch(s -> s.pid() == launcher.pid()),
                    "the launcher's exchange was seen listening" + where);
            }
        }
        finally
        {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
            Files.deleteIfExists(release);
            Files.delete(dir);
        }
    }

    /** Records the listening sockets the launcher and every process it started hold now. */
    private static void sample(final Process launcher, final Set<Seen> seen, final Set<String> commands)
        throws IOException
    {
        final List<ProcessHandle> job = new ArrayList<>();
        job.add(launcher.toHandle());
        try (Stream<ProcessHandle> descendants = launcher.descendants())
        {
            descendants.forEach(job::add);
        }
        final List<ListeningSockets.Socket> listening = ListeningSockets.inNamespaceOf(Long.toString(launcher.pid()));
        for (final ProcessHandle process : job)
        {
            final String command = process.info().commandLine().orElse("?");
            commands.add(process.pid() + " " + command);
            final Set<Long> inodes = ListeningSockets.socketInodes(process.pid());
            listening.stream().filter(socket -> inodes.contains(socket.inode()))
                .forEach(socket -> seen.add(new Seen(process.pid(), abbreviate(command), socket)));
        }
    }

    private static String abbreviate(final String command)
    {
        return command.length() > 160 ? command.substring(0, 80) + " ... " + command.substring(command.length() - 75) :
            command;
    }
}
