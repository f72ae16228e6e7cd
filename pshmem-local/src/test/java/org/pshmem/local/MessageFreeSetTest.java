package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedCounter;
import org.pshmem.api.SharedDoubleArray;

/**
 * {@code set()} and lock hand-offs on a one-node job synchronise through node memory only: no collective and
 * no message. Across nodes, only the ranks with the writer's node-rank and the node leaders exchange messages.
 */
class MessageFreeSetTest
{
    @Test
    void setOnOneNodeSendsNoMessage()
    {
        final ConcurrentHashMap<Integer, Long> sent = new ConcurrentHashMap<>();
        LocalJob.run(4, world ->
        {
            final LocalJobState job = LocalJobState.current().job;
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 100, 100))
            {
                world.barrier();
                final long before = job.messages(world.rank());
                world.barrier();
                for (int i = 0; i < 50; i++)
                {
                    final int writer = i % world.size();
                    shm.set(world.rank() == writer ? new double[100] : null, Region.at(i, 0).size(1, 100), writer);
                    shm.assign(world.rank() == writer ? new double[] {i} : null, Region.at(i, 0).size(1, 1));
                }
                // Every rank has returned from its last set() before anyone reads the count.
                world.barrier();
                sent.put(world.rank(), job.messages(world.rank()) - before);
                assertEquals(49.0, shm.get(49, 0));
            }
        });
        // The barriers between the readings wait in node memory too: no message at all.
        assertEquals(4, sent.size());
        sent.forEach((rank, messages) -> assertEquals(0L, messages, "collective calls of rank " + rank));
    }

    @Test
    void lockHandOffOnOneNodeSendsNoMessage()
    {
        final ConcurrentHashMap<Integer, Long> sent = new ConcurrentHashMap<>();
        LocalJob.run(3, world ->
        {
            final LocalJobState job = LocalJobState.current().job;
            try (DistributedLock lock = DistributedLock.create(world);
                SharedCounter counter = SharedCounter.create(world))
            {
                world.barrier();
                final long before = job.messages(world.rank());
                world.barrier();
                for (int i = 0; i < 20; i++)
                {
                    lock.lock();
                    counter.getAndIncrement();
                    lock.unlock();
                }
                world.barrier();
                sent.put(world.rank(), job.messages(world.rank()) - before);
                assertEquals(60L, counter.get());
            }
        });
        assertEquals(3, sent.size());
        sent.forEach((rank, messages) -> assertEquals(0L, messages, "collective calls of rank " + rank));
    }

    @Test
    void setAcrossTwoNodesSendsMessagesOnlyBetweenNodes()
    {
        final ConcurrentHashMap<Integer, Long> sent = new ConcurrentHashMap<>();
        LocalJob.run(4, 2, world ->
        {
            final LocalJobState job = LocalJobState.current().job;
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 10))
            {
                world.barrier();
                final long before = job.messages(world.rank());
                world.barrier();
                shm.set(world.rank() == 0 ? new double[10] : null, 0);
                world.barrier();
                sent.put(world.rank(), job.messages(world.rank()) - before);
            }
        });
        // Node leaders agree across nodes (for set() and the barriers alike), and rank 0 sends the block to rank
        // 2, which has its node-rank; the other ranks wait in node memory and send nothing.
        assertTrue(sent.get(0) > 0L && sent.get(2) > 0L, sent.toString());
        assertEquals(0L, sent.get(1), sent.toString());
        assertEquals(0L, sent.get(3), sent.toString());
    }
}
