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
    private ByteBuffer control;

    private LocalSegment(final LocalJobState job, final long id, final long byteSize, final ByteBuffer[] buffers)
    {
        this.job = job;
        this.id = id;
        this.byteSize = byteSize;
        this.windows = java.util.Arrays.copyOf(buffers, buffers.length - 1);
        this.control = buffers[buffers.length - 1];
    }

    /** Data windows, then the control part last. */
    static LocalSegment create(final LocalJobState job, final long byteSize, final int controlBytes)
    {
        final int count = (int)((byteSize + (1L << WINDOW_SHIFT) - 1) >>> WINDOW_SHIFT);
        final ByteBuffer[] buffers = new ByteBuffer[count + 1];
        for (int w = 0; w < count; w++)
        {
            final long start = (long)w << WINDOW_SHIFT;
            buffers[w] = ByteBuffer.allocateDirect((int)Math.min(1L << WINDOW_SHIFT, byteSize - start))
                .order(ByteOrder.nativeOrder());
        }
        buffers[count] = ByteBuffer.allocateDirect(controlBytes + 64).alignedSlice(64).order(ByteOrder.nativeOrder());
        return new LocalSegment(job, job.publishSegment(buffers), byteSize, buffers);
    }

    static LocalSegment attach(final LocalJobState job, final long id, final long byteSize)
    {
        final ByteBuffer[] buffers = job.lookupSegment(id);
        if (null == buffers)
        {
            throw new IllegalStateException("no node memory with id " + id + " in this job");
        }
        return new LocalSegment(job, id, byteSize, buffers);
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
    public ByteBuffer control()
    {
        return control.duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public void close()
    {
        // Direct buffers are freed by the garbage collector once unreachable.
        windows = new ByteBuffer[0];
        control = null;
    }

    @Override
    public void closeNow()
    {
        close();
    }
}
