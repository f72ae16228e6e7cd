package org.pshmem.tests;

import java.util.List;

/**
 * What the README example ({@link org.pshmem.examples.ReadmeExample}) prints on a layout: the README's output for
 * 4 ranks on one node ({@code readme-example-4-ranks.txt}, which ReadmeExampleTest compares with this) with the
 * layout's node count, ranks per node and rank count in their places.
 */
public final class ReadmeExampleOutput
{
    /** The headings rank 0 prints, in this order (the last rank prints the last heading). */
    public static final List<String> HEADINGS = List.of("String representation:", "===== Initialized Data =====",
        "======= Updated Data =======");

    private static final String ZEROS = " [[0. 0. 0. 0. 0.]\n [0. 0. 0. 0. 0.]\n [0. 0. 0. 0. 0.]]\n";
    private static final String UPDATED = "[[0. 0. 0. 0. 0.]\n [0. 0. 1. 2. 0.]\n [0. 3. 4. 5. 0.]]\n";

    private ReadmeExampleOutput()
    {
    }

    /**
     * @param nodes      nodes of the job.
     * @param mostOnNode ranks on its fullest node (the array's {@code processesPerNode()}).
     * @param ranks      ranks of the job.
     * @return the whole output, in the order one JVM prints it (rank by rank, as the example orders its lines).
     */
    public static String expected(final int nodes, final int mostOnNode, final int ranks)
    {
        if (nodes < 1 || mostOnNode < 1 || ranks < nodes || ranks > nodes * mostOnNode || mostOnNode > ranks)
        {
            throw new IllegalArgumentException("no layout has " + ranks + " ranks on " + nodes +
                " nodes with at most " + mostOnNode + " on one");
        }
        final StringBuilder text = new StringBuilder("String representation:\n\n<SharedArray\n" +
            "  replicated on " + nodes + " nodes, each with " + mostOnNode + " processes (" + ranks + " total)\n" +
            "  shape = (3, 5), dtype = float64\n  [ [0. 0. 0. 0. 0.] [0. 0. 0. 0. 0.] [0. 0. 0. 0. 0.] ]\n>\n\n" +
            "===== Initialized Data =====\n");
        for (int rank = 0; rank < ranks; rank++)
        {
            text.append("rank ").append(rank).append(":\n").append(ZEROS);
        }
        text.append("======= Updated Data =======\n");
        for (int rank = 0; rank < ranks; rank++)
        {
            text.append("rank ").append(rank).append(":\n ").append(UPDATED);
        }
        final int last = ranks - 1;
        text.append("==== Read-only access ======\nrank ").append(last).append(": shm[2, 3] = 5.0\nrank ").append(last)
            .append(": shm.data =\n").append(UPDATED);
        return text.toString();
    }

    /**
     * @param text printed text.
     * @return its lines, sorted: {@code mpirun} interleaves the lines of different ranks in no set order (a rank's
     *     own lines keep theirs), so two outputs of one job are compared by their sorted lines.
     */
    public static List<String> sortedLines(final String text)
    {
        return text.lines().sorted().toList();
    }

    /**
     * @param text printed text.
     * @return the lines of {@link #HEADINGS} in it, in the order printed.
     */
    public static List<String> headings(final String text)
    {
        return text.lines().filter(HEADINGS::contains).toList();
    }
}
