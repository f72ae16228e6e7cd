package org.pshmem.spi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * Native memory that {@link #close()} gives back at once, and whose buffers then throw instead of touching
 * freed memory: zero-filled memory, or a shared mapping of a file, owned by a shared arena of
 * {@code java.lang.foreign} (the Java 22 part of this multi-release class).
 *
 * <p>After {@code close()}, on every thread, any access through a buffer from {@link #buffer(long, int)}, or
 * derived from one, throws {@link IllegalStateException}.
 */
public final class ArenaMemory implements AutoCloseable
{
    private static final long PAGE = 4096;
    private static final long CLOSE_RETRY_NANOS = 100_000;

    private final Arena arena;
    private final MemorySegment memory;
    private boolean closed;

    private ArenaMemory(final Arena arena, final MemorySegment memory)
    {
        this.arena = arena;
        this.memory = memory;
    }

    /**
     * @return true when this Java runs the Java 22 part of this class (Java 22 or later).
     */
    public static boolean available()
    {
        return true;
    }

    /**
     * @param byteSize bytes, zero or more.
     * @return zero-filled memory, page aligned, owned by the caller.
     */
    public static ArenaMemory allocate(final long byteSize)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            return new ArenaMemory(arena, arena.allocate(byteSize, PAGE));
        }
        catch (final RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * Maps a file shared and writable; the channel used is closed before this returns, so the mapping is the
     * only hold this memory has on the file.
     *
     * @param file     the file.
     * @param byteSize bytes from offset 0; the file is extended if shorter.
     * @return the mapping, owned by the caller.
     * @throws IOException when the file cannot be opened or mapped.
     */
    public static ArenaMemory map(final Path file, final long byteSize) throws IOException
    {
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return new ArenaMemory(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, byteSize, arena));
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
    }

    /**
     * @param offset first byte.
     * @param length bytes.
     * @return a direct buffer over that part, big-endian as every new buffer, positioned at 0.
     */
    public ByteBuffer buffer(final long offset, final int length)
    {
        return memory.asSlice(offset, length).asByteBuffer();
    }

    /**
     * Frees or unmaps the memory at once; afterwards every buffer over it throws. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        while (!closed)
        {
            try
            {
                arena.close();
                closed = true;
            }
            catch (final IllegalStateException ex)
            {
                // A buffer of this memory is inside an I/O call on another thread, which holds the arena for
                // the call's length: closing succeeds once it returns.
                closed = !arena.scope().isAlive();
                if (!closed)
                {
                    LockSupport.parkNanos(CLOSE_RETRY_NANOS);
                }
            }
        }
    }
}
