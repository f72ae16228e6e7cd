package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pshmem.tests.CloseChurnJob;

/**
 * Issue 18's churn loop on MPJ: 4 rank JVMs create, fill and close a 200 MiB array 8 times without a view and
 * 8 times with one kept past close(), in a 1 GiB tmpfs (a mount namespace of the test's own, as root, as
 * {@link SegmentSpaceTest} does). Each array's memory must be back once every rank has closed it, so no round
 * runs out of space, and the views kept past close() read what the Javadoc says.
 */
class CloseChurnTest
{
    private static final long TMPFS_BYTES = 1L << 30;
    // Each round checks its own memory is back; 8 rounds of 200 MiB also exceed the tmpfs, should any leak add up.
    private static final int ROUNDS = 8;

    @ParameterizedTest(name = "{0} node(s)")
    @ValueSource(ints = {1, 2})
    void everyRoundFitsAOneGibTmpfs(final int nodes) throws Exception
    {
        final Path mount = Files.createTempDirectory("pshmem-churn-shm");
        try
        {
            final String out = runInSmallTmpfs(mount, nodes);
            assertTrue(out.contains("SHM_TOTAL " + TMPFS_BYTES + "\n"), "the ranks must see the 1 GiB tmpfs (is an " +
                "MPJ daemon of another mount namespace running?): " + out);
            for (final String mode : List.of("plain", "view"))
            {
                for (int round = 0; round < ROUNDS; round++)
                {
                    final String prefix = "ROUND " + mode + " " + round + " USED ";
                    final long used = out.lines().filter(line -> line.startsWith(prefix))
                        .mapToLong(line -> Long.parseLong(line.substring(prefix.length()))).findFirst()
                        .orElseThrow(() -> new AssertionError("no line '" + prefix + "...': " + out));
                    // What stays is the communicator's own small node segment, never a closed array.
                    assertTrue(used < 1 << 20, prefix + used + ": the closed array's memory is not back\n" + out);
                }
            }
            final int expected = Runtime.version().feature() >= 22 ? CloseChurnJob.THREW_ILLEGAL_STATE :
                CloseChurnJob.ZEROS;
            assertEquals(ROUNDS, out.lines().filter(line -> line.matches("KEPT_VIEW view \\d+ " + expected + " " +
                expected)).count(), "every rank's kept view read " + expected + " in every round: " + out);
        }
        finally
        {
            Files.deleteIfExists(mount);
        }
    }

    private static String runInSmallTmpfs(final Path mount, final int nodes) throws Exception
    {
        final String classPath = MpjJobs.rankClassPath();
        final List<String> launch = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
            MpjLauncher.class.getName(), "-np", "4", "--nodes", Integer.toString(nodes), "--device", "niodev",
            "--shm-dir", mount.toString(), "--timeout", "600", "-cp", classPath, CloseChurnJob.class.getName(),
            "200", Integer.toString(ROUNDS), "both"));
        final String script = "mount -t tmpfs -o size=" + TMPFS_BYTES + " pshmem-test " + mount + " && " +
            String.join(" ", launch.stream().map(arg -> "'" + arg + "'").toList());
        final Process process = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
            .redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(660, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), "the job failed (unshare and mount need root, as CI runs): " + out);
        return out;
    }
}
