package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.local.LocalJob;

/**
 * Collective semantics of the in-process transport: waiting, and failing fast with the rank at fault named.
 */
class LocalJobTest
{
    @Test
    void barrierWaitsForTheLastRank() throws Exception
    {
        final AtomicBoolean lateRankArrived = new AtomicBoolean();
        final AtomicInteger sawIt = new AtomicInteger();
        LocalJob.run(4, world ->
        {
            if (world.rank() == 3)
            {
                Thread.sleep(200);
                lateRankArrived.set(true);
            }
            world.barrier();
            if (lateRankArrived.get())
            {
                sawIt.incrementAndGet();
            }
        });
        assertEquals(4, sawIt.get(), "every rank left the barrier after rank 3 entered it");
    }

    @Test
    void aRankThatThrowsFailsTheOthersWaitingInACollective()
    {
        final ConcurrentHashMap<Integer, Throwable> seen = new ConcurrentHashMap<>();
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(4, world ->
        {
            if (world.rank() == 2)
            {
                throw new IllegalStateException("rank two gives up");
            }
            try
            {
                world.barrier();
            }
            catch (final RankFailedException ex)
            {
                seen.put(world.rank(), ex);
                throw ex;
            }
        }));
        assertTrue(failure.getMessage().contains("rank 2 failed"), failure.getMessage());
        assertInstanceOf(IllegalStateException.class, failure.getCause());
        assertEquals(3, seen.size(), "ranks 0, 1 and 3 were told");
        seen.forEach((rank, ex) ->
        {
            assertEquals(2, ((RankFailedException)ex).failedRank());
            assertTrue(ex.getMessage().contains("barrier() on rank " + rank + ": rank 2 failed"), ex.getMessage());
        });
    }

    @Test
    void aRankThatReturnsEarlyFailsTheOthersInsteadOfHanging()
    {
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
        {
            if (world.rank() != 1)
            {
                try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 10))
                {
                    shm.set(null, 0);
                }
            }
        }));
        assertTrue(failure.getMessage().contains("rank 1 finished without taking part"), failure.getMessage());
    }

    @Test
    void aRankThatThrowsInsteadOfSettingFailsTheOthersWaitingInNodeMemory()
    {
        final ConcurrentHashMap<Integer, String> told = new ConcurrentHashMap<>();
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
        {
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 4))
            {
                if (world.rank() == 1)
                {
                    throw new IllegalStateException("rank one breaks before set()");
                }
                try
                {
                    shm.set(world.rank() == 0 ? new double[4] : null, 0);
                }
                catch (final RankFailedException ex)
                {
                    told.put(world.rank(), ex.getMessage());
                    throw ex;
                }
            }
        }));
        assertTrue(failure.getMessage().contains("rank 1 failed"), failure.getMessage());
        assertEquals(2, told.size(), told.toString());
        told.forEach((rank, message) -> assertTrue(message.contains("set() on rank " + rank + ": rank 1 failed"),
            message));
    }

    @Test
    void aReceiveFromARankThatFinishedFails()
    {
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(2, world ->
        {
            if (world.rank() == 0)
            {
                world.receive(new int[1], 1, 5);
            }
        }));
        assertTrue(failure.getMessage().contains("rank 1 finished without taking part"), failure.getMessage());
    }

    @Test
    void mismatchedBroadcastLengthsFailOnEveryRank()
    {
        final AtomicInteger told = new AtomicInteger();
        assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
        {
            try
            {
                world.broadcast(new double[world.rank() == 1 ? 4 : 3], 0);
            }
            catch (final PshmemException ex)
            {
                if (ex.getMessage().contains("root 0 sends 3 double elements but rank 1 passed 4"))
                {
                    told.incrementAndGet();
                }
                throw ex;
            }
        }));
        assertEquals(3, told.get(), "all three ranks got the same error");
    }

    @Test
    void layoutIsChecked()
    {
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> LocalJob.run(2, 3, world -> { }));
        assertTrue(tooMany.getMessage().contains("nodes must be from 1 to 2, not 3"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LocalJob.run(0, world -> { }));
    }

    @Test
    void simulatedNodesEachHoldACopy() throws Exception
    {
        final ConcurrentHashMap<Integer, String> summaries = new ConcurrentHashMap<>();
        LocalJob.run(3, 2, world ->
        {
            try (SharedDoubleArray shm = SharedArray.ofDoubles(world, 2, 2))
            {
                summaries.put(world.rank(), shm.toString());
                assertEquals(2, shm.nodeCount());
                assertTrue(shm.canWriteFrom(0) && !shm.canWriteFrom(1) && shm.canWriteFrom(2));
            }
        });
        assertTrue(summaries.get(0).contains("replicated on 2 nodes, each with 2 processes (3 total)"),
            summaries.get(0));
    }
}
