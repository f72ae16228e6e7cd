package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The plan of {@code set()}'s forwarding among node leaders: its closed-form step counts against a step-by-step
 * simulation, its shapes, and the goal that the busiest rank sends at most two blocks.
 */
class SetForwardingTest
{
    @Test
    void closedFormStepsMatchASimulationOfEveryShape()
    {
        for (int nodes = 1; nodes <= 70; nodes++)
        {
            for (int messages = 1; messages <= 20; messages++)
            {
                for (int fanOut = 1; fanOut <= 2; fanOut++)
                {
                    assertEquals(simulate(nodes, messages, fanOut), SetForwarding.steps(nodes, messages, fanOut),
                        nodes + " nodes, " + messages + " messages, fan-out " + fanOut);
                }
            }
        }
    }

    @Test
    void everyLeaderHasOneParentAndTheTreeCoversEveryNode()
    {
        for (int nodes = 1; nodes <= 70; nodes++)
        {
            for (final int chunks : new int[] {1, 2, 100})
            {
                final SetForwarding plan = SetForwarding.plan(nodes, chunks);
                final int[] fed = new int[nodes];
                for (int r = 0; r < nodes; r++)
                {
                    for (int i = 0; i < plan.children(r); i++)
                    {
                        final int child = plan.firstChild(r) + i;
                        assertEquals(r, plan.parent(child));
                        fed[child]++;
                    }
                }
                assertEquals(-1, plan.parent(0));
                assertEquals(0, fed[0]);
                for (int r = 1; r < nodes; r++)
                {
                    assertEquals(1, fed[r], "leader " + r + " of " + nodes);
                }
            }
        }
    }

    @Test
    void busiestRankSendsAtMostTwoBlocksUpTo64Nodes()
    {
        for (int nodes = 2; nodes <= 64; nodes++)
        {
            for (final int chunks : new int[] {1, 2, 4, 16, 1024})
            {
                final SetForwarding plan = SetForwarding.plan(nodes, chunks);
                assertTrue(plan.busiestBlocks() <= 2, plan.describe());
                // Never more steps than a root sending the whole block to every node in turn would take.
                assertTrue(plan.steps() <= (nodes - 1L) * chunks, plan.describe());
            }
        }
    }

    @Test
    void knownPlans()
    {
        // Two nodes: one hop, a step a chunk.
        assertEquals(new SetForwarding(2, 1, 1, 1), SetForwarding.plan(2, 1));
        assertEquals(new SetForwarding(2, 16, 1, 16), SetForwarding.plan(2, 16));
        // A small set on more nodes goes down a binary tree (the chain would take 63 steps on 64 nodes).
        assertEquals(new SetForwarding(3, 1, 1, 2), SetForwarding.plan(3, 1));
        assertEquals(new SetForwarding(4, 1, 2, 2), SetForwarding.plan(4, 1));
        assertEquals(new SetForwarding(8, 1, 2, 4), SetForwarding.plan(8, 1));
        assertEquals(new SetForwarding(64, 1, 2, 10), SetForwarding.plan(64, 1));
        // A long pipeline on few nodes keeps to the chain: 16 chunks, then 2 more hops; a tie too.
        assertEquals(new SetForwarding(4, 16, 1, 18), SetForwarding.plan(4, 16));
        assertEquals(new SetForwarding(8, 4, 1, 10), SetForwarding.plan(8, 4));
        // The header alone (an empty region) is one message.
        assertEquals(new SetForwarding(2, 0, 1, 1), SetForwarding.plan(2, 0));
        assertEquals(0, SetForwarding.plan(1, 5).steps());
        assertEquals(0, SetForwarding.plan(1, 5).busiestBlocks());
        assertEquals("chain over 2 nodes, 1 chunk: busiest rank sends 1 block, 1 step",
            SetForwarding.plan(2, 1).describe());
        assertThrows(IllegalArgumentException.class, () -> SetForwarding.plan(0, 1));
    }

    /** Lamport clocks, message by message: each leader takes each message from its parent when it has
     *  arrived, then sends it to its children one step each. */
    private static long simulate(final int nodes, final int messages, final int fanOut)
    {
        final long[][] arrival = new long[nodes][messages];
        long last = 0;
        for (int r = 0; r < nodes; r++)
        {
            long clock = 0;
            for (int m = 0; m < messages; m++)
            {
                clock = Math.max(clock, arrival[r][m]);
                for (int child = fanOut * r + 1; child <= fanOut * r + fanOut && child < nodes; child++)
                {
                    arrival[child][m] = ++clock;
                    last = Math.max(last, clock);
                }
            }
        }
        return last;
    }
}
