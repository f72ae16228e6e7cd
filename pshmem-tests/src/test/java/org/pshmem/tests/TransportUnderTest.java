package org.pshmem.tests;

import java.util.ArrayList;
import java.util.List;

import org.pshmem.api.Pshmem;
import org.pshmem.local.LocalJob;

/**
 * A transport the conformance suite runs on, with the job layouts (ranks, nodes) it is run with.
 */
final class TransportUnderTest
{
    /** A job shape: ranks and simulated nodes. */
    record Layout(String transport, int ranks, int nodes)
    {
        @Override
        public String toString()
        {
            return transport + " " + ranks + " rank" + (ranks == 1 ? "" : "s") + " on " + nodes + " node" +
                (nodes == 1 ? "" : "s");
        }
    }

    private TransportUnderTest()
    {
    }

    /**
     * @return every layout of every transport present: 1 to 4 ranks on one node, and 2 to 4 ranks on two
     * nodes (3 ranks on 2 nodes is the uneven case).
     */
    static List<Layout> layouts()
    {
        final List<Layout> layouts = new ArrayList<>();
        for (final String transport : Pshmem.availableTransports())
        {
            if (!transport.equals("local"))
            {
                continue; // other transports run their own launches of the same scenarios
            }
            for (int ranks = 1; ranks <= 4; ranks++)
            {
                layouts.add(new Layout(transport, ranks, 1));
            }
            for (int ranks = 2; ranks <= 4; ranks++)
            {
                layouts.add(new Layout(transport, ranks, 2));
            }
        }
        return layouts;
    }

    static void run(final Layout layout, final Scenario scenario)
    {
        LocalJob.runMain(layout.ranks(), layout.nodes(), new String[] {ExpectedLayout.arg(layout.nodes())}, args ->
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                scenario.run(pshmem);
            }
        });
    }
}
