package org.pshmem.example.hello;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedLongArray;

/**
 * One table per node, filled by rank 0 and read by every rank: each rank sums its own row of a
 * {@code ranks x 1000} table of {@code row * 1000 + column}, and rank 0 prints the total, which does not depend
 * on how many nodes hold a copy. Runs the same as one rank in a plain JVM, as threads under
 * {@code ./pshmem run --transport local}, or as a JVM per rank under {@code ./pshmem run --transport mpj}.
 */
public final class Hello
{
    private static final int COLUMNS = 1000;

    private Hello()
    {
    }

    /**
     * @param args handed to {@link Pshmem#init(String[])}; none of its own.
     */
    public static void main(final String[] args)
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator world = pshmem.world();
            final int ranks = world.size();
            try (SharedLongArray table = SharedArray.ofLongs(world, ranks, COLUMNS))
            {
                long[] values = null;
                if (world.rank() == 0)
                {
                    values = new long[ranks * COLUMNS];
                    for (int i = 0; i < values.length; i++)
                    {
                        values[i] = i;
                    }
                }
                table.set(values, 0);                                // collective: one copy per node, filled
                long mine = 0;
                for (int column = 0; column < COLUMNS; column++)
                {
                    mine += table.get(world.rank(), column);          // local read of this node's copy
                }
                final long total = world.allReduce(mine, ReduceOp.SUM);
                if (world.rank() == 0)
                {
                    System.out.println("hello-pshmem: " + ranks + " rank(s), transport " + pshmem.transportName());
                    System.out.println("hello-pshmem: sum of the table = " + total);
                }
            }
        }
    }
}
