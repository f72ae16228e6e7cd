package org.pshmem.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Native memory that {@link #close()} gives back at once, and whose buffers then throw instead of touching
 * freed memory: zero-filled memory, or a shared mapping of a file, owned by a shared arena of
 * {@code java.lang.foreign}. That needs Java 22 or later: this jar is a multi-release jar whose Java 22 part
 * implements this class; here, on Java 17 to 21, {@link #available()} is false and a transport uses its own
 * way (see {@link NodeSegment#close()}).
 *
 * <p>After {@code close()}, on every thread, any access through a buffer from {@link #buffer(long, int)}, or
 * derived from one, throws {@link IllegalStateException}.
 */
public final class ArenaMemory implements AutoCloseable
{
    private ArenaMemory()
    {
    }

    /**
     * Returns true when this Java runs the Java 22 part of this class (Java 22 or later).
     *
     * @return true when this Java runs the Java 22 part of this class (Java 22 or later).
     */
    public static boolean available()
    {
        return false;
    }

    /**
     * Returns zero-filled memory, page aligned, owned by the caller.
     *
     * @param byteSize bytes, zero or more.
     * @return zero-filled memory, page aligned, owned by the caller.
     * @throws UnsupportedOperationException when {@link #available()} is false.
     */
    public static ArenaMemory allocate(final long byteSize)
    {
        throw unavailable();
    }

    /**
     * Maps a file shared and writable; the channel used is closed before this returns, so the mapping is the
     * only hold this memory has on the file.
     *
     * @param file     the file.
     * @param byteSize bytes from offset 0; the file is extended if shorter.
     * @return the mapping, owned by the caller.
     * @throws IOException                   when the file cannot be opened or mapped.
     * @throws UnsupportedOperationException when {@link #available()} is false.
     */
    public static ArenaMemory map(final Path file, final long byteSize) throws IOException
    {
        throw unavailable();
    }

    /**
     * Returns a direct buffer over that part, big-endian as every new buffer, positioned at 0.
     *
     * @param offset first byte.
     * @param length bytes.
     * @return a direct buffer over that part, big-endian as every new buffer, positioned at 0.
     */
    public ByteBuffer buffer(final long offset, final int length)
    {
        throw unavailable();
    }

    /**
     * Frees or unmaps the memory at once; afterwards every buffer over it throws. Idempotent.
     */
    @Override
    public void close()
    {
    }

    private static UnsupportedOperationException unavailable()
    {
        return new UnsupportedOperationException("ArenaMemory needs Java 22 or later, and this is Java " +
            Runtime.version().feature());
    }
}
