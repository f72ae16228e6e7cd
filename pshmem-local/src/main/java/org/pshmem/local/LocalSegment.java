package org.pshmem.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.Windows;

/**
 * One rank's hold on node memory of an in-process job ({@link LocalMemory}): created zero-filled by one rank
 * and handed to the others through the job by id. The memory is given back when the last rank of the node
 * closes its segment.
 */
final class LocalSegment implements NodeSegment
{
    private final LocalJobState job;
    private final long id;
    private final long byteSize;
    private final LocalMemory memory;
    private boolean closed;

    private LocalSegment(final LocalJobState job, final long id, final long byteSize, final LocalMemory memory)
    {
        this.job = job;
        this.id = id;
        this.byteSize = byteSize;
        this.memory = memory;
    }

    static LocalSegment create(final LocalJobState job, final long byteSize, final int controlBytes)
    {
        final LocalMemory memory = LocalMemory.allocate(byteSize, controlBytes);
        return new LocalSegment(job, job.publishSegment(memory), byteSize, memory);
    }

    static LocalSegment attach(final LocalJobState job, final long id, final long byteSize)
    {
        final LocalMemory memory = job.lookupSegment(id);
        if (null == memory || !memory.hold())
        {
            throw new IllegalStateException("no node memory with id " + id + " in this job" +
                (null == memory ? "" : ": every rank that held it has closed it"));
        }
        return new LocalSegment(job, id, byteSize, memory);
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
        return Windows.SHIFT;
    }

    @Override
    public int windowCount()
    {
        return memory.windowCount();
    }

    @Override
    public ByteBuffer window(final int index)
    {
        return memory.window(index).duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public ByteBuffer control()
    {
        return memory.control().duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public void close()
    {
        letGo(true);
    }

    @Override
    public void closeNow()
    {
        letGo(false);
    }

    private void letGo(final boolean buffersEscaped)
    {
        if (!closed)
        {
            closed = true;
            if (memory.letGo(buffersEscaped))
            {
                // Normally gone since every rank attached; not when creation failed part way.
                job.unpublishSegment(id);
            }
        }
    }
}
