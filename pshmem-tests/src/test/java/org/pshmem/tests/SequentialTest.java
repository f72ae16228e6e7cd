package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.api.Sequential;
import org.pshmem.local.LocalJob;

/**
 * Turns in rank order when a rank fails or leaves: the ranks waiting for it are told, naming it, instead of
 * waiting for ever; a rank whose turn is over may leave without stopping the others.
 */
class SequentialTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ranksWaitingForAFailedRankAreToldWhichOne()
    {
        final Map<Integer, RankFailedException> told = new ConcurrentHashMap<>();
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(4, world ->
        {
            Sequential.begin(world).close(); // a first sequence that every rank completes
            world.barrier(); // else rank 3 may still wait in it for rank 2 when rank 1 fails, and be told then
            if (world.rank() == 1)
            {
                throw new IllegalStateException("rank 1 gives up before its second turn");
            }
            try
            {
                Sequential.begin(world).close();
            }
            catch (final RankFailedException ex)
            {
                told.put(world.rank(), ex);
                throw ex;
            }
        }));
        assertTrue(failure.getMessage().contains("rank 1 failed"), failure.getMessage());
        assertEquals(2, told.size(), "ranks 2 and 3 were told: " + told);
        told.forEach((rank, ex) ->
        {
            assertEquals(1, ex.failedRank(), "rank at fault, as told to rank " + rank);
            assertTrue(ex.getMessage().contains("on rank " + rank + ": rank 1 failed"), ex.getMessage());
        });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theNextRankIsToldWhenItsPredecessorLeavesWithoutItsTurn()
    {
        final Map<Integer, RankFailedException> told = new ConcurrentHashMap<>();
        final PshmemException failure = assertThrows(PshmemException.class, () -> LocalJob.run(3, world ->
        {
            Sequential.begin(world).close();
            world.barrier(); // every rank is through the first sequence before rank 1 leaves
            if (world.rank() == 1)
            {
                return; // leaves, without its second turn
            }
            try (Sequential second = Sequential.begin(world))
            {
                assertEquals(0, world.rank(), "only rank 0 gets a second turn");
            }
            catch (final RankFailedException ex)
            {
                told.put(world.rank(), ex);
                throw ex;
            }
        }));
        assertTrue(failure.getMessage().contains("rank 1 finished without taking part"), failure.getMessage());
        assertEquals(1, told.size(), "rank 2 was told: " + told);
        assertEquals(1, told.get(2).failedRank());
        assertTrue(told.get(2).getMessage().contains("on rank 2: rank 1 finished without taking part"),
            told.get(2).getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRankWhoseTurnIsOverMayLeave()
    {
        final Map<Integer, Long> begun = new ConcurrentHashMap<>();
        LocalJob.run(4, world ->
        {
            Sequential.begin(world).close(); // the first turn makes the private duplicate
            try (Sequential turn = Sequential.begin(world))
            {
                begun.put(world.rank(), System.nanoTime());
                if (world.rank() == 1)
                {
                    Thread.sleep(300); // rank 0 is gone by now, while ranks 2 and 3 wait
                }
            }
        });
        assertEquals(4, begun.size(), "every rank had its turn");
        for (int r = 1; r < 4; r++)
        {
            assertTrue(begun.get(r) > begun.get(r - 1), "rank " + r + "'s turn began after rank " + (r - 1) + "'s");
        }
    }
}
