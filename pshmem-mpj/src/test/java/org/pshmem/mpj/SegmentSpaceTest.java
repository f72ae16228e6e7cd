package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A segment larger than its directory fails at creation with the sizes in the message, instead of a bus
 * error later. The small directory is a 16 MiB tmpfs in a mount namespace of the test's own (as root).
 */
class SegmentSpaceTest
{
    @Test
    void anArrayLargerThanTheSegmentDirectoryIsRefusedAtCreation() throws Exception
    {
        final Path mount = Files.createTempDirectory("pshmem-small-shm");
        try
        {
            final List<String> java = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            java.addAll(JvmOptions.forRanks(Runtime.version().feature()));
            java.addAll(List.of("-cp", MpjJobs.rankClassPath(), SegmentSpaceProbe.class.getName(), mount.toString()));
            final String inside = "mount -t tmpfs -o size=16m pshmem-test " + mount + " && " + String.join(" ",
                java.stream().map(arg -> "'" + arg + "'").toList());
            final String refused = run(inside + " 64");
            // 64 MiB of data and 1 KiB of control part asked; 16 MiB free.
            assertTrue(refused.contains("REFUSED cannot reserve " + ((64 << 20) + 1024) + " bytes of node memory in " +
                mount + ": only " + (16 << 20) + " bytes are free there"), refused);
            final String fits = run(inside + " 8");
            assertTrue(fits.contains("CREATED"), fits);
        }
        finally
        {
            Files.deleteIfExists(mount);
        }
    }

    private static String run(final String script) throws Exception
    {
        final Process process = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
            .redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), "unshare needs root (CI runs as root): " + out);
        return out;
    }
}
