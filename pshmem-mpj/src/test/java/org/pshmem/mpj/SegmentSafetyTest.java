package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.PshmemException;

/**
 * Segment files are private and ours: created exclusively with mode 0600; attaching refuses a symbolic link,
 * a file with a wider mode, and a file of another user.
 */
class SegmentSafetyTest
{
    private static final int CONTROL = 1024;

    @Test
    void aNewSegmentIsPrivateNamedForItsNodeAndGoneOnceAllAttached(@TempDir final Path dir) throws Exception
    {
        try (ShmSegment segment = ShmSegment.create(dir, "node/7", 4096, CONTROL))
        {
            final Path file = Path.of(new String(segment.handle(), StandardCharsets.UTF_8));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(file.getFileName().toString().matches("pshmem-node_7-\\d+-[0-9a-f]{16}"), file.toString());
            try (ShmSegment other = ShmSegment.attach(segment.handle(), 4096, CONTROL))
            {
                segment.window(0).putLong(0, 42L);
                assertEquals(42L, other.window(0).getLong(0), "both mappings see the same memory");
                segment.allAttached();
                assertTrue(!Files.exists(file), "the name is removed once every rank has mapped it");
                assertEquals(42L, other.window(0).getLong(0), "the memory outlives the name");
            }
        }
    }

    @Test
    void attachRefusesASymbolicLink(@TempDir final Path dir) throws Exception
    {
        final Path target = Files.writeString(dir.resolve("target"), "x".repeat(8192));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        final Path link = Files.createSymbolicLink(dir.resolve("pshmem-n-1-8000000000000000"), target);
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(link.toString().getBytes(StandardCharsets.UTF_8), 0, CONTROL));
        assertTrue(ex.getMessage().contains("is not a regular file; refusing to map it"), ex.getMessage());
    }

    @Test
    void attachRefusesAWiderMode(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("pshmem-n-1-8000000000000001"), "x".repeat(8192));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(file.toString().getBytes(StandardCharsets.UTF_8), 0, CONTROL));
        assertTrue(ex.getMessage().contains("has mode rw-r--r--, not rw-------"), ex.getMessage());
    }

    @Test
    void attachRefusesAnotherUsersFile(@TempDir final Path dir) throws Exception
    {
        final Path file = Files.writeString(dir.resolve("pshmem-n-1-8000000000000002"), "x".repeat(8192));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        final Process chown = new ProcessBuilder("chown", "nobody", file.toString()).inheritIO().start();
        assertEquals(0, chown.waitFor(), "chown needs root (CI runs as root)");
        final PshmemException ex = assertThrows(PshmemException.class,
            () -> ShmSegment.attach(file.toString().getBytes(StandardCharsets.UTF_8), 0, CONTROL));
        assertTrue(ex.getMessage().contains("belongs to nobody"), ex.getMessage());
    }
}
