"""What residents read for the record's machine values: steps, levels, lenses, kinds of output, statuses and
roles."""

from __future__ import annotations

from engage.engagements.models import Lens, Level, OutputKind, Step

STEP_LABELS = {step.value: step.label for step in Step}
LEVEL_LABELS = {level.value: level.label for level in Level}
LENS_LABELS = {lens.value: lens.label for lens in Lens}
OUTPUT_KIND_LABELS = {kind.value: kind.label for kind in OutputKind}
STATUS_LABELS = {"in_progress": "In progress", "completed": "Completed"}
ROLE_LABELS = {"public_sector": "Public-sector partner", "vcfse": "VCFSE partner", "vcfse_partner": "VCFSE partner",
               "community_group": "Community group", "healthwatch": "Healthwatch",
               "public_sector_partner": "Public-sector partner", "other": "Other"}
