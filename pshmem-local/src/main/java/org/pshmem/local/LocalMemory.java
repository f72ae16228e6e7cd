package org.pshmem.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.pshmem.api.PshmemException;
import org.pshmem.spi.ArenaMemory;
import org.pshmem.spi.Windows;

/**
 * The memory of one node segment of an in-process job, held by every rank (thread) of the node that created
 * or attached it, and given back at once when the last of them lets go: on Java 22 and later it is owned by a
 * shared arena ({@link ArenaMemory}), whose buffers then throw; on Java 17 to 21 it is anonymous pages
 * ({@link AnonymousMemory}), whose buffers then read zeros.
 *
 * <p>One exception keeps creating small arrays cheap (a new block costs system calls, page faults and, on Java
 * 22 and later, a handshake with every thread at close): a block of at most {@value #POOLED_MAX_BYTES} bytes
 * whose buffers never left the library (no view was taken on any rank) is zeroed and kept for the next block of
 * the same sizes, {@value #POOLED_MAX_BLOCKS} blocks at most (1 MiB). No view can see it reused, and the
 * library's own buffers of a closed array are never read.
 *
 * <p>Layout, the same as a segment file of the mpj transport:
 * <pre>
 *   0                         data, byteSize bytes, seen as windows of 1 GiB ({@link Windows})
 *   controlOffset(byteSize)   control part, controlBytes, at the next 4 KiB boundary
 * </pre>
 */
final class LocalMemory
{
    static final int POOLED_MAX_BYTES = 64 << 10;
    static final int POOLED_MAX_BLOCKS = 16;
    private static final long PAGE = 4096;
    private static final byte[] ZEROS = new byte[POOLED_MAX_BYTES];
    /** Zeroed blocks kept for reuse, most recent last; guarded by itself. */
    private static final java.util.ArrayDeque<LocalMemory> POOL = new java.util.ArrayDeque<>();

    private final ArenaMemory arena;
    private final AnonymousMemory pages;
    private final long byteSize;
    private final long total;
    private final ByteBuffer[] windows;
    private final ByteBuffer control;
    private int holders = 1;
    private boolean buffersEscaped;

    private LocalMemory(final ArenaMemory arena, final AnonymousMemory pages, final long byteSize,
        final int controlBytes)
    {
        this.arena = arena;
        this.pages = pages;
        this.byteSize = byteSize;
        this.total = controlOffset(byteSize) + controlBytes;
        windows = new ByteBuffer[Windows.count(byteSize)];
        for (int w = 0; w < windows.length; w++)
        {
            windows[w] = buffer((long)w << Windows.SHIFT, Windows.length(byteSize, w));
        }
        control = buffer(controlOffset(byteSize), controlBytes);
    }

    /**
     * Zero-filled memory for a node, held once (by its creator).
     */
    static LocalMemory allocate(final long byteSize, final int controlBytes)
    {
        final long total = controlOffset(byteSize) + controlBytes;
        final LocalMemory pooled = takePooled(byteSize, total);
        if (null != pooled)
        {
            return pooled;
        }
        if (ArenaMemory.available())
        {
            final ArenaMemory arena = ArenaMemory.allocate(total);
            try
            {
                return new LocalMemory(arena, null, byteSize, controlBytes);
            }
            catch (final RuntimeException ex)
            {
                arena.close();
                throw ex;
            }
        }
        final AnonymousMemory pages;
        try
        {
            pages = AnonymousMemory.allocate(total);
        }
        catch (final LinkageError ex)
        {
            throw new PshmemException("the in-process transport needs jffi (com.github.jnr:jffi and its native " +
                "jar) on the class path on Java 17 to 21, to give node memory back at close: " + ex, ex);
        }
        try
        {
            return new LocalMemory(null, pages, byteSize, controlBytes);
        }
        catch (final RuntimeException ex)
        {
            pages.free(false);
            throw ex;
        }
    }

    private static LocalMemory takePooled(final long byteSize, final long total)
    {
        LocalMemory found = null;
        synchronized (POOL)
        {
            for (final java.util.Iterator<LocalMemory> it = POOL.descendingIterator(); it.hasNext() && null == found; )
            {
                final LocalMemory memory = it.next();
                if (memory.byteSize == byteSize && memory.total == total)
                {
                    it.remove();
                    found = memory;
                }
            }
        }
        if (null != found)
        {
            found.heldAgain();
        }
        return found;
    }

    private synchronized void heldAgain()
    {
        holders = 1;
        buffersEscaped = false;
    }

    /**
     * @return true when this block, zeroed, now waits in the pool instead of being given back.
     */
    private boolean pooled()
    {
        if (buffersEscaped || total > POOLED_MAX_BYTES)
        {
            return false;
        }
        synchronized (POOL)
        {
            if (POOL.size() >= POOLED_MAX_BLOCKS)
            {
                return false;
            }
            for (final ByteBuffer window : windows)
            {
                window.put(0, ZEROS, 0, window.capacity());
            }
            control.put(0, ZEROS, 0, control.capacity());
            POOL.addLast(this);
            return true;
        }
    }

    private static long controlOffset(final long byteSize)
    {
        return (byteSize + PAGE - 1) / PAGE * PAGE;
    }

    private ByteBuffer buffer(final long offset, final int length)
    {
        return (null != arena ? arena.buffer(offset, length) : pages.buffer(offset, length))
            .order(ByteOrder.nativeOrder());
    }

    int windowCount()
    {
        return windows.length;
    }

    ByteBuffer window(final int index)
    {
        return windows[index];
    }

    ByteBuffer control()
    {
        return control;
    }

    /**
     * One more rank holds the memory.
     *
     * @return false when the memory was already given back (every earlier holder let go).
     */
    synchronized boolean hold()
    {
        if (holders == 0)
        {
            return false;
        }
        holders++;
        return true;
    }

    /**
     * One rank lets go; the last gives the memory back.
     *
     * @param escaped true when buffers of this rank may still be read (views left the array).
     * @return true when that was the last holder.
     */
    synchronized boolean letGo(final boolean escaped)
    {
        buffersEscaped |= escaped;
        if (--holders > 0)
        {
            return false;
        }
        if (pooled())
        {
            return true;
        }
        if (null != arena)
        {
            arena.close();
        }
        else
        {
            pages.free(buffersEscaped);
        }
        return true;
    }
}
