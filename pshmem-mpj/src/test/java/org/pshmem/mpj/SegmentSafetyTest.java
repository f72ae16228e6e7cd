package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.PshmemException;
import org.pshmem.shm.SegmentHandle;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;

/**
 * Segment files are private and ours: created exclusively with mode 0600; attaching checks the descriptor it opened
 * and refuses a symbolic link, a file with a wider mode, a file of another user and, through another process's
 * descriptor, a file other than the one created. Unnamed segments lose their name at creation; named ones (the
 * fallback) once every rank has mapped them. A mapping keeps no descriptor open.
 */
class SegmentSafetyTest
{
    private static final int CONTROL = 1024;

    @Test
    void aNewNamedSegmentIsPrivateNamedForItsNodeAndGoneOnceAllAttached(@TempDir final Path dir) throws Exception
    {
        try (ShmSegment segment = ShmSegment.create(dir, "node/7", 4096, CONTROL, SegmentNaming.NAMED))
        {
            final Path file = segment.file();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(file.getFileName().toString().matches("pshmem-node_7-\\d+-[0-9a-f]{16}"), file.toString());
            try (ShmSegment other = ShmSegment.attach(segment.handle(), 4096, CONTROL))
            {
                segment.window(0).putLong(0, 42L);
                assertEquals(42L, other.window(0).getLong(0), "both mappings see the same memory");
                segment.allAttached();
                assertFalse(Files.exists(file), "the name is removed once every rank has mapped it");
                assertEquals(42L, other.window(0).getLong(0), "the memory outlives the name");
            }
        }
    }

    @Test
    void aNewUnnamedSegmentHasNoNameAndIsReachedThroughTheCreatorsDescriptor(@TempDir final Path dir)
        throws Exception
    {
        try (ShmSegment segment = ShmSegment.create(dir, "node/7", 4096, CONTROL, SegmentNaming.UNNAMED))
        {
            final SegmentHandle handle = SegmentHandle.parse(segment.handle());
            assertEquals(SegmentNaming.UNNAMED, handle.naming());
            assertTrue(handle.file().getFileName().toString().matches("pshmem-node_7-\\d+-[0-9a-f]{16}"),
                handle.toString());
            assertEquals(List.of(), listing(dir), "no name from creation on");
            assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(handle.openPath())));
            try (ShmSegment other = ShmSegment.attach(segment.handle(), 4096, CONTROL))
            {
                segment.window(0).putLong(0, 42L);
                assertEquals(42L, other.window(0).getLong(0), "both mappings see the same memory");
                segment.allAttached();
                assertFalse(Files.exists(handle.openPath()), "the creator's descriptor is closed once all attached");
                assertEquals(42L, other.window(0).getLong(0), "the memory outlives the descriptor");
            }
        }
    }

    @Test
    void mappedSegmentsHoldNoDescriptor(@TempDir final Path dir) throws Exception
    {
        for (final SegmentNaming naming : SegmentNaming.values())
        {
            final int before = openDescriptors();
            final List<ShmSegment> segments = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                final ShmSegment creator = ShmSegment.create(dir, "fds", 4096, CONTROL, naming);
                segments.add(creator);
                segments.add(ShmSegment.attach(creator.handle(), 4096, CONTROL));
                creator.allAttached();
            }
            assertEquals(before, openDescriptors(), naming + ": 100 live mappings, no more open descriptors");
            segments.forEach(ShmSegment::close);
            assertEquals(before, openDescriptors(), naming + ": after close");
            assertEquals(List.of(), listing(dir), naming + ": no file left");
        }
    }

    @Test
    void attachRefusesASymbolicLink(@TempDir final Path dir) throws Exception
    {
        final Path target = Files.writeString(dir.resolve("target"), "x".repeat(8192));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        final Path link = Files.createSymbolicLink(dir.resolve("pshmem-n-1-8000000000000000"), target);
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(SegmentHandle.named(link).bytes(), 0, CONTROL));
        assertTrue(ex.getMessage().contains("is not a regular file; refusing to map it"), ex.getMessage());
    }

    @Test
    void attachRefusesAWiderMode(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("pshmem-n-1-8000000000000001"), "x".repeat(8192));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(SegmentHandle.named(file).bytes(), 0, CONTROL));
        assertTrue(ex.getMessage().contains("has mode rw-r--r--, not rw-------"), ex.getMessage());
    }

    @Test
    void attachThroughADescriptorChecksTheOpenedFile(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("pshmem-n-1-8000000000000003"), "x".repeat(8192));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (RandomAccessFile open = new RandomAccessFile(file.toFile(), "rw"))
        {
            final int fd = descriptorOf(file);
            final long pid = ProcessHandle.current().pid();
            final java.util.Map<String, Object> key = Files.readAttributes(file, "unix:dev,ino");
            final long device = ((Number)key.get("dev")).longValue();
            final long inode = ((Number)key.get("ino")).longValue();
            final PshmemException wide = assertThrows(PshmemException.class, () -> ShmSegment.attach(
                new SegmentHandle(SegmentNaming.UNNAMED, file, pid, fd, device, inode).bytes(), 0, CONTROL));
            assertTrue(wide.getMessage().contains("has mode rw-r--r--, not rw-------"), wide.getMessage());
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            final PshmemException other = assertThrows(PshmemException.class, () -> ShmSegment.attach(
                new SegmentHandle(SegmentNaming.UNNAMED, file, pid, fd, 1, 2).bytes(), 0, CONTROL));
            assertTrue(other.getMessage().contains("is not the file node-rank 0 created; refusing to map it"),
                other.getMessage());
        }
    }

    @Test
    void attachThroughADescriptorThatCannotBeOpenedSaysWhy(@TempDir final Path dir) throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        final Path file = dir.resolve("pshmem-n-1-8000000000000004");
        final PshmemException ex = assertThrows(PshmemException.class, () -> ShmSegment.attach(
            new SegmentHandle(SegmentNaming.UNNAMED, file, finished.pid(), 3, 1, 2).bytes(), 0, CONTROL));
        assertTrue(ex.getMessage().startsWith("cannot open node memory file " + file + " through node-rank 0's " +
            "descriptor /proc/" + finished.pid() + "/fd/3: "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("(this rank cannot open /proc of that process: another user, user " +
            "namespace or pid namespace?)"), ex.getMessage());
    }

    @Test
    void attachRefusesAnotherUsersFile(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("pshmem-n-1-8000000000000002"), "x".repeat(8192));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        final Process chown = new ProcessBuilder("chown", "nobody", file.toString()).inheritIO().start();
        assertEquals(0, chown.waitFor(), "chown needs root (CI runs as root)");
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(SegmentHandle.named(file).bytes(), 0, CONTROL));
        assertTrue(ex.getMessage().contains("belongs to nobody"), ex.getMessage());
    }

    @Test
    void thisMachineUsesUnnamedSegments()
    {
        final SegmentNaming.Decision decision = SegmentNaming.probe();
        assertEquals(SegmentNaming.UNNAMED, decision.naming(), decision.reason());
    }

    private static List<Path> listing(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.toList();
        }
    }

    private static int openDescriptors() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return (int)fds.count();
        }
    }

    private static int descriptorOf(final Path file) throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)fds::iterator)
            {
                try
                {
                    if (Files.readSymbolicLink(fd).equals(file))
                    {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                }
                catch (final IOException gone)
                {
                    // The listing's own descriptor.
                }
            }
        }
        throw new IllegalStateException(file + " is not open");
    }
}
