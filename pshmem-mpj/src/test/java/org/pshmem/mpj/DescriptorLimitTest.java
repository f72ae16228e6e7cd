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
 * A mapping holds no descriptor, so live arrays are not bounded by the limit of open files: 4 MPJ ranks on one node
 * under {@code ulimit -n 1024} keep 5,000 small arrays live at once, check them and close them (issue 14: the
 * previous design failed at about 1,000 with {@code Too many open files}).
 */
class DescriptorLimitTest
{
    private static final int ARRAYS = 5_000;

    @Test
    void fiveThousandLiveArraysUnderAThousandDescriptors() throws Exception
    {
        final Path shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-fdlimit-");
        try
        {
            final String classPath = MpjJobs.rankClassPath();
            final List<String> launch = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, MpjLauncher.class.getName(), "-np", "4", "--device", "niodev", "--shm-dir",
                shmDir.toString(), "--timeout", "600", "-cp", classPath, ManyArraysProbe.class.getName(),
                Integer.toString(ARRAYS));
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
                assertTrue(line.endsWith(" LIMIT 1024"), "the rank ran under ulimit -n 1024: " + line);
                final long fds = Long.parseLong(line.substring(live.length()).split(" ")[0]);
                assertTrue(fds < 200, "a few descriptors, not one per array: " + line);
                assertTrue(out.contains("RANK " + rank + " CLOSED"), out);
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
