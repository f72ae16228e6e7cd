package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Small arrays are blocks of the communicator's node arena and a mapping holds no descriptor, so live arrays are
 * bounded by memory, not by the limit of open files or the kernel's map count: 4 MPJ ranks on one node under
 * {@code ulimit -n 1024} keep 100,000 small arrays live at once (about 128 bytes of node memory each), check them
 * and close them (issue 14: the design of one segment per array failed at about 1,000 with {@code Too many open
 * files}); then 100,000 create/set/close cycles on a new communicator map no more node memory than its first array.
 */
class DescriptorLimitTest
{
    private static final int ARRAYS = 100_000;
    private static final int CYCLES = 100_000;
    /** 100,000 blocks of 64 bytes and their 64-byte headers fit chunks of 1 + 2 + 4 + 8 MiB. */
    private static final long MAX_MAPPED = 32L << 20;

    @Test
    void hundredThousandLiveArraysUnderAThousandDescriptors() throws Exception
    {
        final Path shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-fdlimit-");
        try
        {
            final String classPath = MpjJobs.rankClassPath();
            final List<String> launch = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, MpjLauncher.class.getName(), "-np", "4", "--device", "niodev", "--shm-dir",
                shmDir.toString(), "--timeout", "600", "-cp", classPath, ManyArraysProbe.class.getName(),
                Integer.toString(ARRAYS), Integer.toString(CYCLES));
            final String script = "ulimit -n 1024 && exec " +
                String.join(" ", launch.stream().map(arg -> "'" + arg + "'").toList());
            final Process process = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(660, TimeUnit.SECONDS), out);
            assertEquals(0, process.exitValue(), out);
            for (int rank = 0; rank < 4; rank++)
            {
                final String live = "RANK " + rank + " LIVE " + ARRAYS + " FDS ";
                final String line = out.lines().filter(l -> l.startsWith(live)).findFirst()
                    .orElseThrow(() -> new AssertionError("no line '" + live + "...': " + out));
                System.out.println(line);
                final String[] fields = line.substring(live.length()).split(" ");
                assertEquals("1024", fields[2], "the rank ran under ulimit -n 1024: " + line);
                assertTrue(Long.parseLong(fields[0]) < 200, "a few descriptors, not one per array: " + line);
                assertTrue(Long.parseLong(fields[4]) < MAX_MAPPED, "about 128 bytes per array, not a page: " + line);
                assertTrue(out.contains("RANK " + rank + " CLOSED"), out);
                final String churn = "RANK " + rank + " CHURN " + CYCLES + " GREW 0";
                assertTrue(out.lines().anyMatch(churn::equals), "the cycles reuse the arena's first chunk: " + out);
            }
            try (Stream<Path> files = Files.list(shmDir))
            {
                assertEquals(List.of(), files.toList(), "no segment file left");
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
}
