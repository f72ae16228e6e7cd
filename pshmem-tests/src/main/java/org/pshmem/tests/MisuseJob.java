package org.pshmem.tests;

import org.pshmem.api.Pshmem;

/**
 * Runs one case of {@link MisuseScenarios} as a job of its own: the job must fail, on every rank, with a
 * message naming the calls and ranks, and must not hang. Each rank first prints {@value #START}{@code <rank>},
 * from which a test times how long the job takes to end.
 */
public final class MisuseJob
{
    /** The start of the line each rank prints just before the misuse. */
    public static final String START = "MISUSE START on rank ";

    private MisuseJob()
    {
    }

    /**
     * @param args the name of the case.
     * @throws Exception the failure the case provokes.
     */
    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final String name = pshmem.args()[0];
            final MisuseScenarios.Misuse misuse = MisuseScenarios.all().get(name);
            if (null == misuse)
            {
                throw new IllegalArgumentException("no misuse case " + name + "; cases: " + MisuseScenarios.all().keySet());
            }
            System.out.println(START + pshmem.world().rank());
            misuse.body().run(pshmem);
        }
    }
}
