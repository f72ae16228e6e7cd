package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;

/**
 * {@code ./pshmem shm list|clean}: stale files are listed and removed, a live job's file is kept, other
 * files are not touched; {@code list} says how segments are named here, and why when it fell back to names.
 */
class ShmToolTest
{
    @Test
    void cleanRemovesOnlyFilesWhoseCreatorIsGone(@TempDir final Path dir) throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        final Path stale = Files.writeString(dir.resolve("pshmem-nodeA-" + finished.pid() + "-8000000000000001"), "x");
        final Path live = Files.writeString(dir.resolve("pshmem-nodeB-" + ProcessHandle.current().pid() +
            "-8000000000000002"), "y");
        final Path stranger = Files.writeString(dir.resolve("something-else"), "z");

        final String listed = run("list", dir);
        assertTrue(listed.contains(stale.getFileName() + "  node nodeA  pid " + finished.pid() + "  1 bytes"), listed);
        assertTrue(listed.contains("gone") && listed.contains("alive"), listed);
        assertFalse(listed.contains("something-else"), listed);
        assertTrue(listed.startsWith("segment naming: unnamed ("), listed);

        final String cleaned = run("clean", dir);
        assertTrue(cleaned.contains("1 stale segment file removed"), cleaned);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "a live job's file stays");
        assertTrue(Files.exists(stranger), "files that are not ours stay");
    }

    @Test
    void listShowsTheUnnamedSegmentsLiveProcessesMap() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-shmtool-");
        try
        {
            final String pid = Long.toString(ProcessHandle.current().pid());
            final ShmSegment segment = ShmSegment.create(dir, "nodeT", 3 * 4096, 64, SegmentNaming.UNNAMED);
            segment.allAttached();
            final String listed = run("list", dir);
            assertTrue(listed.contains("no pshmem segment files in " + dir), "the file has no name: " + listed);
            assertTrue(listed.contains("in use: 1 segment of " + dir + ", 16384 bytes"), listed);
            assertTrue(listed.lines().anyMatch(line -> line.startsWith("  inode ") &&
                line.endsWith("  16384 bytes  mapped by pid " + pid)), listed);
            segment.closeNow();
            assertTrue(run("list", dir).contains("no segment of " + dir + " is mapped by a process this user can see"));
        }
        finally
        {
            Files.delete(dir);
        }
    }

    @Test
    void listSaysWhyItFellBackToNames()
    {
        assertEquals("segment naming: named, because /proc is hidden (a name exists until every rank of the node " +
            "has mapped the file; a job killed meanwhile leaves it, for shm clean)",
            ShmTool.namingLine(new SegmentNaming.Decision(SegmentNaming.NAMED, "/proc is hidden")));
    }

    private static String run(final String command, final Path dir)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, ShmTool.run(new String[] {command, dir.toString()}, new PrintStream(out, true,
            StandardCharsets.UTF_8), System.err));
        return out.toString(StandardCharsets.UTF_8);
    }
}
