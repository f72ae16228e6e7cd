package org.pshmem.examples;

import org.pshmem.api.Communicator;
import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.Sequential;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;

/**
 * The README example, the Java counterpart of upstream pshmem 0.2.9's: a 3 x 5 array with one copy per
 * node, printed, updated from rank 0 with {@code set()} and with indexed assignment, and read everywhere.
 */
public final class ReadmeExample
{
    private ReadmeExample()
    {
    }

    /**
     * @param args passed to {@link Pshmem#init(String[])}.
     */
    public static void main(final String[] args)
    {
        try (Pshmem pshmem = Pshmem.init(args);
            SharedDoubleArray shm = SharedArray.ofDoubles(pshmem.world(), 3, 5))
        {
            final Communicator comm = pshmem.world();
            // A copy of the data exists on every node and is initialised to zero.
            if (comm.rank() == 0)
            {
                System.out.println("String representation:\n");
                System.out.println(shm);
                System.out.println("\n===== Initialized Data =====");
            }
            printInTurn(comm, shm);

            double[] setData = null;
            Region setRegion = null;
            if (comm.rank() == 0)
            {
                setData = new double[] {0, 1, 2, 3, 4, 5};
                setRegion = Region.at(1, 1).size(2, 3);
            }
            // set() is collective, but its inputs only matter on the writing rank.
            shm.set(setData, setRegion, 0);

            // Indexed assignment is collective too; the library finds the one rank that passes data.
            shm.assign(setData, setRegion);

            // The updated data has now been replicated to the shared memory on all nodes.
            if (comm.rank() == 0)
            {
                System.out.println("======= Updated Data =======");
            }
            printInTurn(comm, shm);

            // Every rank reads its node-local copy directly.
            if (comm.rank() == comm.size() - 1)
            {
                System.out.println("==== Read-only access ======");
                System.out.println("rank " + comm.rank() + ": shm[2, 3] = " + shm.get(2, 3));
                System.out.println("rank " + comm.rank() + ": shm.data =\n" + shm.dataString());
                System.out.flush();
            }
        }
    }

    /** Each rank prints its node's copy, one rank at a time in rank order; returns when all have. */
    private static void printInTurn(final Communicator comm, final SharedDoubleArray shm)
    {
        try (Sequential turn = Sequential.begin(comm))
        {
            System.out.println("rank " + comm.rank() + ":\n " + shm.dataString());
            System.out.flush();
        }
        comm.barrier(); // the next sequence of turns waits for this one's last turn
    }
}
