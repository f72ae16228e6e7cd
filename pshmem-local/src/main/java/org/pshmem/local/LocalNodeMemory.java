package org.pshmem.local;

import java.nio.ByteBuffer;

import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;

/**
 * The node memory of an in-process job: segments in this JVM's memory, which all the job's ranks (threads) see.
 */
final class LocalNodeMemory implements NodeMemory
{
    private final LocalJobState job;

    LocalNodeMemory(final LocalJobState job)
    {
        this.job = job;
    }

    @Override
    public Capacity capacity()
    {
        return NodeMemory.machineMemory();
    }

    @Override
    public NodeSegment create(final long byteSize, final int controlBytes, final String label)
    {
        return LocalSegment.create(job, byteSize, controlBytes);
    }

    @Override
    public NodeSegment attach(final byte[] handle, final long byteSize, final int controlBytes)
    {
        return LocalSegment.attach(job, ByteBuffer.wrap(handle).getLong(), byteSize);
    }
}
