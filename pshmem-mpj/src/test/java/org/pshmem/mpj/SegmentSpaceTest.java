package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pshmem.tests.ChildProcess;

/**
 * A segment larger than its directory fails at creation with the sizes in the message, instead of a bus
 * error later: in one JVM, and on every rank of a job of 3 JVMs on 2 nodes. The small directory is a 16 MiB
 * tmpfs in a mount namespace of the test's own (as root); the job's launcher runs inside it, and so do the MPJ
 * daemon it starts and the ranks.
 */
class SegmentSpaceTest
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void anArrayLargerThanTheSegmentDirectoryIsRefusedAtCreation() throws Exception
    {
        final Path mount = Files.createTempDirectory("pshmem-small-shm");
        try
        {
            final List<String> java = new ArrayList<>(List.of(JAVA));
            java.addAll(JvmOptions.forRanks(Runtime.version().feature()));
            java.addAll(List.of("-cp", MpjJobs.rankClassPath(), SegmentSpaceProbe.class.getName(), mount.toString()));
            final String refused = inSmallTmpfs(mount, java, "64");
            // 64 MiB of data and 1 KiB of control part asked; 16 MiB free.
            assertTrue(refused.contains("REFUSED cannot reserve " + ((64 << 20) + 1024) + " bytes of node memory in " +
                mount + ": only " + (16 << 20) + " bytes are free there"), refused);
            final String fits = inSmallTmpfs(mount, java, "8");
            assertTrue(fits.contains("CREATED"), fits);
        }
        finally
        {
            Files.deleteIfExists(mount);
        }
    }

    /**
     * 12 MiB on each of two nodes does not fit 16 MiB: a node's first rank fails to reserve the memory; every rank
     * of the job gets the exception with the sizes, goes on (the job ends normally) and leaves no file.
     */
    @Test
    void anArrayLargerThanTheFreeSpaceIsRefusedOnEveryRankOfAJob() throws Exception
    {
        final String out = jobInSmallTmpfs(12);
        final Pattern refused = Pattern.compile("^RANK (\\d) REFUSED .*cannot reserve (\\d+) bytes of node memory " +
            "in \\S+: only (\\d+) bytes are free there.*$", Pattern.MULTILINE);
        assertEveryRankRefusedAndNothingLeft(out, refused, each ->
        {
            final long asked = Long.parseLong(each.group(2));
            assertTrue(asked > 12 << 20 && asked < (12 << 20) + (64 << 10), each.group());
            assertTrue(Long.parseLong(each.group(3)) <= 16 << 20, each.group());
        });
    }

    /**
     * 64 MiB can never fit a 16 MiB segment directory: refused on every rank before anything is made, naming
     * the directory's size.
     */
    @Test
    void anArrayLargerThanTheSegmentDirectoryIsRefusedBeforeAnythingIsMade() throws Exception
    {
        final String out = jobInSmallTmpfs(64);
        final Pattern refused = Pattern.compile("^RANK (\\d) REFUSED .*the array needs 67108864 bytes of node " +
            "memory, more than the size of the segment directory \\S+ \\(16777216 bytes\\)$", Pattern.MULTILINE);
        assertEveryRankRefusedAndNothingLeft(out, refused, each ->
        {
        });
    }

    /** Ranks 0-2 each printed a refusal {@code refused} matches (each also checked), and no file is left. */
    private static void assertEveryRankRefusedAndNothingLeft(final String out, final Pattern refused,
        final java.util.function.Consumer<Matcher> check)
    {
        final Matcher each = refused.matcher(out);
        final List<String> ranks = new ArrayList<>();
        while (each.find())
        {
            ranks.add(each.group(1));
            check.accept(each);
        }
        assertEquals(List.of("0", "1", "2"), ranks.stream().sorted().toList(), "ranks refused with the sizes: " + out);
        assertTrue(!out.contains("LEFT "), "files left in the segment directory: " + out);
    }

    /** Runs the probe's job (3 ranks on 2 nodes) asking for {@code mebibytes}, in a 16 MiB tmpfs. */
    private static String jobInSmallTmpfs(final int mebibytes) throws Exception
    {
        final Path mount = Files.createTempDirectory("pshmem-small-shm");
        try
        {
            final String cp = MpjJobs.rankClassPath();
            final List<String> launcher = List.of(JAVA, "-cp", cp, MpjLauncher.class.getName(), "-np", "3", "--nodes", "2",
                "--shm-dir", mount.toString(), "--timeout", "120", "-cp", cp, SegmentSpaceProbe.class.getName(), "job");
            return inSmallTmpfs(mount, launcher, mebibytes + " && ls -A " + mount + " | sed 's/^/LEFT /'");
        }
        finally
        {
            Files.deleteIfExists(mount);
        }
    }

    /** Runs {@code command} followed by {@code args} (shell words) in a mount namespace with a 16 MiB tmpfs at mount. */
    private static String inSmallTmpfs(final Path mount, final List<String> command, final String args) throws Exception
    {
        final String script = "mount -t tmpfs -o size=16m pshmem-test " + mount + " && " +
            String.join(" ", command.stream().map(arg -> "'" + arg + "'").toList()) + " " + args;
        final ChildProcess.Result result = ChildProcess.run(
            new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
                .redirectErrorStream(true), Duration.ofSeconds(180));
        assertEquals(0, result.status(), "unshare needs root (CI runs as root): " + result.out());
        return result.out();
    }
}
