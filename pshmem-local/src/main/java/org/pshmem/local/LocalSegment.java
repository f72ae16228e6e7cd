package org.pshmem.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.pshmem.spi.NodeSegment;

/**
 * Node memory of an in-process job: direct buffers of up to 1 GiB each, created zero-filled by one rank
 * and handed to the others through the job by id. The memory is freed by the garbage collector once every
 * rank has closed its segment.
 */
final class LocalSegment implements NodeSegment
{
    static final int WINDOW_SHIFT = 30;

    private final LocalJobState job;
    private final long id;
    private final long byteSize;
    private ByteBuffer[] windows;

    private LocalSegment(final LocalJobState job, final long id, final long byteSize, final ByteBuffer[] windows)
    {
        this.job = job;
        this.id = id;
        this.byteSize = byteSize;
        this.windows = windows;
    }

    static LocalSegment create(final LocalJobState job, final long byteSize)
    {
        final int count = (int)((byteSize + (1L << WINDOW_SHIFT) - 1) >>> WINDOW_SHIFT);
        final ByteBuffer[] windows = new ByteBuffer[count];
        for (int w = 0; w < count; w++)
        {
            final long start = (long)w << WINDOW_SHIFT;
            windows[w] = ByteBuffer.allocateDirect((int)Math.min(1L << WINDOW_SHIFT, byteSize - start))
                .order(ByteOrder.nativeOrder());
        }
        return new LocalSegment(job, job.publishSegment(windows), byteSize, windows);
    }

    static LocalSegment attach(final LocalJobState job, final long id, final long byteSize)
    {
        final ByteBuffer[] windows = job.lookupSegment(id);
        if (null == windows)
        {
            throw new IllegalStateException("no node memory with id " + id + " in this job");
        }
        return new LocalSegment(job, id, byteSize, windows);
    }

    @Override
    public long byteSize()
    {
        return byteSize;
    }

    @Override
    public byte[] handle()
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    @Override
    public void allAttached()
    {
        job.unpublishSegment(id);
    }

    @Override
    public int windowShift()
    {
        return WINDOW_SHIFT;
    }

    @Override
    public int windowCount()
    {
        return windows.length;
    }

    @Override
    public ByteBuffer window(final int index)
    {
        return windows[index].duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public void close()
    {
        windows = new ByteBuffer[0];
    }
}
