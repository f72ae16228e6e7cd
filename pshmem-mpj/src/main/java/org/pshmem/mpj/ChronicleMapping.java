package org.pshmem.mpj;

import java.io.File;
import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import com.kenai.jffi.MemoryIO;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.bytes.internal.SingleMappedFile;
import net.openhft.chronicle.core.OS;
import net.openhft.posix.PosixAPI;
import org.pshmem.api.PshmemException;

/**
 * One rank's mapping of a segment file on Java 17 to 21, made by Chronicle Bytes, and let go of at once by
 * {@link #close(boolean)}: the file's pages are swapped for private anonymous pages at the same addresses
 * ({@code mmap(MAP_FIXED | MAP_ANONYMOUS)}) and the file is closed, so this rank holds nothing of the file any
 * more, and a buffer over the range reads zeros (the kernel's shared zero page) and never faults. The range
 * itself is released to Chronicle (which unmaps it in its background thread) at once when no buffer escaped,
 * else once no buffer over it is reachable (checked whenever a mapping is made or closed; no thread).
 */
final class ChronicleMapping
{
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final ReferenceQueue<ByteBuffer> UNREACHABLE = new ReferenceQueue<>();
    /** Guards every mapping's counts and the set of references, which keeps them reachable until polled. */
    private static final Set<BufferReference> TRACKED = new HashSet<>();

    private final MappedBytes bytes;
    private final long base;
    private final long length;
    private int liveBuffers;
    private boolean closed;
    private boolean released;

    private static final class BufferReference extends PhantomReference<ByteBuffer>
    {
        final ChronicleMapping mapping;

        BufferReference(final ByteBuffer buffer, final ChronicleMapping mapping)
        {
            super(buffer, UNREACHABLE);
            this.mapping = mapping;
        }
    }

    private ChronicleMapping(final MappedBytes bytes, final long total)
    {
        this.bytes = bytes;
        this.base = bytes.addressForRead(0);
        // What Chronicle mapped: the size rounded up to its mapping alignment (the page size on Linux).
        this.length = (total + OS.mapAlignment() - 1) / OS.mapAlignment() * OS.mapAlignment();
    }

    /**
     * @param path  the segment file, at least {@code total} bytes long.
     * @param total bytes to map from offset 0.
     * @return this rank's mapping.
     */
    static ChronicleMapping map(final Path path, final long total)
    {
        reap();
        try
        {
            return new ChronicleMapping(MappedBytes.singleMappedBytes(new File(path.toString()), total), total);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new PshmemException("cannot map node memory file " + path + " (" + total + " bytes): " + ex, ex);
        }
    }

    /**
     * @return a direct buffer over {@code length} bytes from {@code offset}, big-endian, positioned at 0; every
     * buffer derived from it keeps it reachable.
     */
    ByteBuffer buffer(final long offset, final int length)
    {
        final ByteBuffer buffer = MemoryIO.getInstance().newDirectByteBuffer(base + offset, length);
        synchronized (TRACKED)
        {
            TRACKED.add(new BufferReference(buffer, this));
            liveBuffers++;
        }
        return buffer;
    }

    /**
     * Lets go of the file at once. Idempotent.
     *
     * @param buffersEscaped false when the caller guarantees that no buffer over this mapping is used again: the
     *                       range is then unmapped at once too.
     */
    void close(final boolean buffersEscaped)
    {
        synchronized (TRACKED)
        {
            if (!closed)
            {
                closed = true;
                // Swapped even when the range is released at once below, because Chronicle unmaps in a
                // background thread, later. If the swap failed (only out of memory maps), the file's pages stay
                // mapped until the range is unmapped: never a fault, the memory back later.
                PosixAPI.posix().mmap(base, length, PROT_READ_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
                closeFile();
                if (!buffersEscaped || liveBuffers == 0)
                {
                    release();
                }
            }
        }
        reap();
    }

    /** Closes Chronicle's descriptor of the file now; Chronicle closes it again, harmlessly, on release. */
    private void closeFile()
    {
        final MappedFile file = bytes.mappedFile();
        if (file instanceof SingleMappedFile)
        {
            try
            {
                ((SingleMappedFile)file).raf().close();
            }
            catch (final IOException ignored)
            {
                // Closing a file opened for reading and writing does not fail on Linux; the release closes it.
            }
        }
    }

    private void release()
    {
        if (!released)
        {
            released = true;
            bytes.releaseLast();
        }
    }

    /** Releases closed mappings whose buffers are all unreachable. */
    static void reap()
    {
        Reference<? extends ByteBuffer> reference;
        while (null != (reference = UNREACHABLE.poll()))
        {
            synchronized (TRACKED)
            {
                TRACKED.remove(reference);
                final ChronicleMapping mapping = ((BufferReference)reference).mapping;
                if (--mapping.liveBuffers == 0 && mapping.closed)
                {
                    mapping.release();
                }
            }
        }
    }
}
