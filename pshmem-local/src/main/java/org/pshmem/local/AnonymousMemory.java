package org.pshmem.local;

import java.nio.ByteBuffer;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.PageManager;
import com.kenai.jffi.Type;
import org.pshmem.api.PshmemException;
import org.pshmem.spi.EscapedBuffers;

/**
 * Zero-filled private anonymous pages (mmap, through jffi) for node memory on Java 17 to 21, where the JDK
 * has no public way to free memory under buffers that may still be read. {@link #free(boolean)} gives the
 * pages back at once with {@code madvise(MADV_DONTNEED)}: a buffer over them then reads zeros (Linux maps its
 * shared zero page on a read, and a write gets a fresh page of this process) and never faults. The address
 * range is unmapped at once when no buffer escaped, else once no buffer over it is reachable
 * ({@link EscapedBuffers}, checked whenever memory is allocated or freed; no thread).
 */
final class AnonymousMemory
{
    private static final int MADV_DONTNEED = 4;
    private static final PageManager PAGES = PageManager.getInstance();
    private static final long MADVISE = Library.getDefault().getSymbolAddress("madvise");
    private static final CallContext MADVISE_CALL = CallContext.getCallContext(Type.SINT,
        new Type[] {Type.POINTER, Type.ULONG, Type.SINT}, CallingConvention.DEFAULT, true);

    private final long address;
    private final int pageCount;
    private final EscapedBuffers buffers;

    private AnonymousMemory(final long address, final int pageCount)
    {
        this.address = address;
        this.pageCount = pageCount;
        this.buffers = new EscapedBuffers(() -> PAGES.freePages(address, pageCount));
    }

    /**
     * @param byteSize bytes, at least one.
     * @return zero-filled memory, page aligned.
     */
    static AnonymousMemory allocate(final long byteSize)
    {
        EscapedBuffers.reap();
        final long pages = (byteSize + PAGES.pageSize() - 1) / PAGES.pageSize();
        if (pages > Integer.MAX_VALUE)
        {
            throw new PshmemException("cannot allocate " + byteSize + " bytes of node memory: more than " +
                Integer.MAX_VALUE + " pages");
        }
        final long address = PAGES.allocatePages((int)pages, PageManager.PROT_READ | PageManager.PROT_WRITE);
        if (address == 0)
        {
            throw new PshmemException("cannot allocate " + byteSize + " bytes of node memory: mmap failed");
        }
        return new AnonymousMemory(address, (int)pages);
    }

    /**
     * @return a direct buffer over {@code length} bytes from {@code offset}, big-endian, positioned at 0; every
     * buffer derived from it keeps it reachable.
     */
    ByteBuffer buffer(final long offset, final int length)
    {
        return buffers.track(MemoryIO.getInstance().newDirectByteBuffer(address + offset, length));
    }

    /**
     * Gives the pages back at once. Idempotent.
     *
     * @param buffersEscaped false when the caller guarantees that no buffer over this memory is used again: the
     *                       address range is then unmapped at once too.
     */
    void free(final boolean buffersEscaped)
    {
        buffers.close(buffersEscaped, () ->
        {
            if ((int)Invoker.getInstance().invokeN3(MADVISE_CALL, MADVISE, address,
                (long)pageCount * PAGES.pageSize(), MADV_DONTNEED) != 0)
            {
                // Cannot happen for our own mapping; if it did, the pages would go with the range.
                throw new PshmemException("madvise(MADV_DONTNEED) of node memory failed: errno " +
                    LastError.getInstance().get());
            }
        });
    }
}
