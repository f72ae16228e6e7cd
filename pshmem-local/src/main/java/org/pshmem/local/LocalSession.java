package org.pshmem.local;

import java.nio.ByteBuffer;

import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.TransportSession;

/**
 * One rank of an in-process job: its world and self endpoints and the job's node memory.
 */
final class LocalSession implements TransportSession, NodeMemory
{
    private final LocalJobState job;
    private final CommEndpoint world;
    private final CommEndpoint self;
    private final String[] args;
    private final java.util.concurrent.atomic.AtomicBoolean open;

    LocalSession(final LocalJobState job, final int rank, final String[] args,
        final java.util.concurrent.atomic.AtomicBoolean open)
    {
        this.open = open;
        this.job = job;
        this.world = new LocalEndpoint(job.world(), rank);
        this.self = new LocalEndpoint(new LocalGroup(job, new int[] {rank}, false), 0);
        this.args = args;
    }

    @Override
    public CommEndpoint world()
    {
        return world;
    }

    @Override
    public CommEndpoint self()
    {
        return self;
    }

    @Override
    public String[] applicationArgs()
    {
        return args.clone();
    }

    @Override
    public NodeMemory nodeMemory()
    {
        return this;
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

    @Override
    public void close()
    {
        // Nothing to finalise: the job's threads end with their ranks. The rank may open a session again.
        open.set(false);
    }
}
