package org.pshmem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SettingTest
{
    private static final String CHUNK = Setting.SET_CHUNK_BYTES.property().orElseThrow();

    @AfterEach
    void clear()
    {
        System.clearProperty(CHUNK);
    }

    @Test
    void theDefaultAppliesWhenNothingIsSetOrTheValueIsBlank()
    {
        assertEquals(Optional.empty(), Setting.SET_CHUNK_BYTES.explicitValue());
        assertEquals(8 << 20, Setting.SET_CHUNK_BYTES.intValue());
        System.setProperty(CHUNK, "  ");
        assertEquals(Optional.empty(), Setting.SET_CHUNK_BYTES.explicitValue());
        assertEquals(8 << 20, Setting.SET_CHUNK_BYTES.intValue());
    }

    @Test
    void aSystemPropertyIsReadTrimmed()
    {
        System.setProperty(CHUNK, " 65536 ");
        assertEquals(Optional.of("65536"), Setting.SET_CHUNK_BYTES.explicitValue());
        assertEquals(65536, Setting.SET_CHUNK_BYTES.intValue());
    }

    @Test
    void aValueThatIsNotANumberIsRefusedNamingTheSetting()
    {
        System.setProperty(CHUNK, "64k");
        final IllegalStateException refused = assertThrows(IllegalStateException.class, Setting.SET_CHUNK_BYTES::intValue);
        assertEquals("setting pshmem.setChunkBytes is '64k', not a whole number", refused.getMessage());
        System.setProperty(CHUNK, Long.toString(1L << 40));
        assertThrows(IllegalStateException.class, Setting.SET_CHUNK_BYTES::intValue);
        assertEquals(1L << 40, Setting.SET_CHUNK_BYTES.longValue());
    }

    @Test
    void aSettingWithNoDefaultAndNothingSetHasNoValue()
    {
        assertEquals(Optional.empty(), Setting.JOB_DIR.value());
        assertThrows(IllegalStateException.class, Setting.JOB_DIR::longValue);
    }

    @Test
    void everySettingHasASourceAndNamesAreUnique()
    {
        final Set<String> names = new HashSet<>();
        for (final Setting setting : Setting.values())
        {
            assertTrue(setting.property().isPresent() || setting.environmentVariable().isPresent(), setting + " has no source");
            setting.property().ifPresent(name -> assertTrue(names.add(name) && name.startsWith("pshmem."), name));
            setting.environmentVariable().ifPresent(name -> assertTrue(names.add(name), name));
            assertTrue(!setting.description().isBlank(), setting + " has no description");
        }
        assertEquals("pshmem.shmDir or PSHMEM_SHM_DIR", Setting.SHM_DIR.sources());
        assertEquals("PSHMEM_JAVA_OPTS", Setting.JAVA_OPTS.sources());
    }
}
