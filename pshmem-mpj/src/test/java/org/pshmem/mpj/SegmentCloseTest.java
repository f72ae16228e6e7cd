package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pshmem.shm.SegmentHandle;
import org.pshmem.shm.ShmSegment;

/**
 * close() lets go of the segment file at once, buffers kept or not (issue 18): afterwards this process neither
 * maps the file nor has it open (the file has no name), so its memory is free; a buffer kept past close() reads
 * zeros on Java 17 to 21 and throws on Java 22 and later.
 */
class SegmentCloseTest
{
    private static final int CONTROL = 1024;

    @Test
    void closedMappingsHoldNothingOfTheFileAndKeptBuffersReadZerosOrThrow() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-close-test-");
        try
        {
            final ShmSegment creator = ShmSegment.create(dir, "close", 4 << 20, CONTROL);
            final ShmSegment other = ShmSegment.attach(creator.handle(), 4 << 20, CONTROL);
            final long inode = SegmentHandle.parse(creator.handle()).inode();
            creator.allAttached();
            final ByteBuffer kept = other.window(0);
            creator.window(0).putLong(8, 42L);
            assertEquals(42L, kept.getLong(8), "both mappings see the same memory");
            assertTrue(held(inode), "mapped while open");
            creator.close();
            other.close();
            assertFalse(held(inode), "after close() no mapping or descriptor of inode " + inode + " is left: " +
                holds(inode));
            if (Runtime.version().feature() >= 22)
            {
                assertThrows(IllegalStateException.class, () -> kept.getLong(8));
            }
            else
            {
                assertEquals(0L, kept.getLong(8), "a buffer kept past close() reads zeros");
            }
        }
        finally
        {
            try (Stream<Path> files = Files.list(dir))
            {
                files.forEach(path -> path.toFile().delete());
            }
            Files.delete(dir);
        }
    }

    @Test
    void closeNowLetsGoToo() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-close-test-");
        try
        {
            final ShmSegment segment = ShmSegment.create(dir, "close", 1 << 20, CONTROL);
            final long inode = SegmentHandle.parse(segment.handle()).inode();
            segment.window(0).put(0, (byte)1);
            segment.closeNow();
            segment.closeNow();
            assertFalse(held(inode), "after closeNow() nothing of inode " + inode + " is left: " + holds(inode));
            try (Stream<Path> left = Files.list(dir))
            {
                assertEquals(List.of(), left.toList(), "no file left in the segment directory");
            }
        }
        finally
        {
            Files.delete(dir);
        }
    }

    private static boolean held(final long inode) throws IOException
    {
        return !holds(inode).isEmpty();
    }

    /** Lines of /proc/self/maps and descriptors of /proc/self/fd of the file with this inode (it has no name). */
    private static List<String> holds(final long inode) throws IOException
    {
        final List<String> found = new java.util.ArrayList<>();
        for (final String line : Files.readAllLines(Path.of("/proc/self/maps")))
        {
            final String[] fields = line.trim().split("\\s+", 6);
            if (fields.length == 6 && fields[4].equals(Long.toString(inode)))
            {
                found.add(line);
            }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    if (((Number)Files.getAttribute(fd, "unix:ino")).longValue() == inode)
                    {
                        found.add(fd + " -> " + Files.readSymbolicLink(fd));
                    }
                }
                catch (final IOException gone)
                {
                    // The directory listing's own descriptor, closed by now.
                }
            }
        }
        return found;
    }
}
