"""intercom-sync: imports Intercom contacts into the NPS product's customers."""
