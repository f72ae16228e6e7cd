package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pshmem.examples.ReadmeExample;
import org.pshmem.tests.ReadmeExampleOutput;

/**
 * The README example under {@code mpirun}, as the README runs it, on 4 ranks on one node, 2 simulated nodes of 2,
 * and 3 ranks on 2 simulated nodes (the last one uneven): it ends with status 0 and prints the README's output for
 * the layout ({@link ReadmeExampleOutput}). Across the three namespace hosts: {@link MpiMultiHostTest}.
 */
class MpiReadmeExampleTest
{
    private static final long SAFETY_NET_SECONDS = 180;

    @ParameterizedTest(name = "{0} ranks on {1} nodes")
    @CsvSource({"4, 1, 4, ''", "4, 2, 2, n0;n0;n1;n1", "3, 2, 2, n0;n0;n1"})
    void printsTheReadmeOutputForTheLayout(final int ranks, final int nodes, final int mostOnNode, final String names)
        throws Exception
    {
        final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
        if (!names.isEmpty())
        {
            jvm.add("-Dpshmem.node=" + names.replace(';', ','));
        }
        final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
            Integer.toString(ranks)));
        command.addAll(MpiRun.java(ReadmeExample.class, jvm));
        final MpiRun.Result result = MpiRun.run(command, SAFETY_NET_SECONDS, "readme");
        assertEquals(0, result.exitCode(), result.output());
        assertPrinted(nodes, mostOnNode, ranks, result.output(), result.output());
    }

    /**
     * Checks a job's output is the README example's on the layout: the same lines, sorted ({@code mpirun}
     * interleaves the ranks' lines in no set order), and rank 0's headings in order.
     */
    static void assertPrinted(final int nodes, final int mostOnNode, final int ranks, final String output,
        final String describe)
    {
        final String expected = ReadmeExampleOutput.expected(nodes, mostOnNode, ranks);
        assertEquals(String.join("\n", ReadmeExampleOutput.sortedLines(expected)),
            String.join("\n", ReadmeExampleOutput.sortedLines(output)),
            "the README example's lines, sorted; expected in order:\n" + expected + "\n" + describe);
        assertEquals(ReadmeExampleOutput.HEADINGS, ReadmeExampleOutput.headings(output), describe);
    }
}
